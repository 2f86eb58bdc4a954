using System.Text;

namespace Berth.Server.Migration;

/// <summary>
/// Protobuf (proto2) encoding of the few migration messages, by hand: varints and length-delimited fields are all
/// they use. Field numbers follow LXD 5.0's lxd/migration/migrate.proto; unknown fields are skipped.
/// </summary>
public static class MigrationCodec
{
    private static readonly string[] RsyncFeatureNames = ["xattrs", "delete", "compress", "bidirectional"];

    public static byte[] Encode(MigrationHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var w = new Writer();
        w.Varint(1, (ulong)header.Fs);
        if (header.Criu is { } criu)
        {
            w.Varint(2, (ulong)criu);
        }

        foreach (var map in header.Idmap)
        {
            var m = new Writer();
            m.Bool(1, map.IsUid);
            m.Bool(2, map.IsGid);
            m.Varint(3, (ulong)map.HostId);
            m.Varint(4, (ulong)map.NsId);
            m.Varint(5, (ulong)map.Range);
            w.Bytes(3, m.ToArray());
        }

        foreach (var name in header.SnapshotNames)
        {
            w.String(4, name);
        }

        foreach (var snap in header.Snapshots)
        {
            w.Bytes(5, EncodeSnapshot(snap));
        }

        if (header.Predump is { } predump)
        {
            w.Bool(7, predump);
        }

        if (header.RsyncFeatures is { } features)
        {
            var f = new Writer();
            for (var i = 0; i < RsyncFeatureNames.Length; i++)
            {
                f.Bool(i + 1, features.Contains(RsyncFeatureNames[i]));
            }

            w.Bytes(8, f.ToArray());
        }

        if (header.Refresh is { } refresh)
        {
            w.Bool(9, refresh);
        }

        if (header.VolumeSize is { } size)
        {
            w.Varint(11, (ulong)size);
        }

        if (header.IndexHeaderVersion is { } version)
        {
            w.Varint(13, version);
        }

        if (header.BerthBtrfs)
        {
            w.Bool(BtrfsTransfer.OfferField, true);
        }

        return w.ToArray();
    }

    public static MigrationHeader DecodeHeader(ReadOnlySpan<byte> data)
    {
        var header = new MigrationHeader();
        var idmap = new List<MigrationIdmap>();
        var names = new List<string>();
        var snapshots = new List<MigrationSnapshot>();
        List<string>? features = null;
        var r = new Reader(data);
        while (r.Next(out var field, out var value, out var bytes))
        {
            switch (field)
            {
                case 1: header = header with { Fs = (MigrationFsType)value }; break;
                case 2: header = header with { Criu = (CriuType)value }; break;
                case 3: idmap.Add(DecodeIdmap(bytes)); break;
                case 4: names.Add(Encoding.UTF8.GetString(bytes)); break;
                case 5: snapshots.Add(DecodeSnapshot(bytes)); break;
                case 7: header = header with { Predump = value != 0 }; break;
                case 8: features = DecodeRsyncFeatures(bytes); break;
                case 9: header = header with { Refresh = value != 0 }; break;
                case 11: header = header with { VolumeSize = (long)value }; break;
                case 13: header = header with { IndexHeaderVersion = (uint)value }; break;
                case BtrfsTransfer.OfferField: header = header with { BerthBtrfs = value != 0 }; break;
                default: break;
            }
        }

        return header with { Idmap = idmap, SnapshotNames = names, Snapshots = snapshots, RsyncFeatures = features };
    }

    public static byte[] Encode(MigrationControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        var w = new Writer();
        w.Bool(1, control.Success);
        w.String(2, control.Message ?? "");
        return w.ToArray();
    }

    public static MigrationControl DecodeControl(ReadOnlySpan<byte> data)
    {
        var success = false;
        string? message = null;
        var r = new Reader(data);
        while (r.Next(out var field, out var value, out var bytes))
        {
            if (field == 1)
            {
                success = value != 0;
            }
            else if (field == 2)
            {
                message = Encoding.UTF8.GetString(bytes);
            }
        }

        return new MigrationControl(success, message);
    }

    private static byte[] EncodeSnapshot(MigrationSnapshot snap)
    {
        var w = new Writer();
        w.String(1, snap.Name);
        foreach (var (key, value) in snap.Config)
        {
            w.Bytes(2, EncodeConfig(key, value));
        }

        foreach (var profile in snap.Profiles)
        {
            w.String(3, profile);
        }

        w.Bool(4, snap.Ephemeral);
        foreach (var (name, config) in snap.Devices)
        {
            var d = new Writer();
            d.String(1, name);
            foreach (var (key, value) in config)
            {
                d.Bytes(2, EncodeConfig(key, value));
            }

            w.Bytes(5, d.ToArray());
        }

        w.Varint(6, (ulong)(long)snap.Architecture);
        w.Bool(7, snap.Stateful);
        if (snap.CreationDate is { } created)
        {
            w.Varint(8, (ulong)created);
        }

        if (snap.LastUsedDate is { } used)
        {
            w.Varint(9, (ulong)used);
        }

        if (snap.ExpiryDate is { } expiry)
        {
            w.Varint(10, (ulong)expiry);
        }

        return w.ToArray();
    }

    private static MigrationSnapshot DecodeSnapshot(ReadOnlySpan<byte> data)
    {
        var snap = new MigrationSnapshot();
        var r = new Reader(data);
        while (r.Next(out var field, out var value, out var bytes))
        {
            switch (field)
            {
                case 1: snap = snap with { Name = Encoding.UTF8.GetString(bytes) }; break;
                case 2:
                    var (key, v) = DecodeConfig(bytes);
                    snap.Config[key] = v;
                    break;
                case 3: snap.Profiles.Add(Encoding.UTF8.GetString(bytes)); break;
                case 4: snap = snap with { Ephemeral = value != 0 }; break;
                case 5:
                    var (name, config) = DecodeDevice(bytes);
                    snap.Devices[name] = config;
                    break;
                case 6: snap = snap with { Architecture = (int)value }; break;
                case 7: snap = snap with { Stateful = value != 0 }; break;
                case 8: snap = snap with { CreationDate = (long)value }; break;
                case 9: snap = snap with { LastUsedDate = (long)value }; break;
                case 10: snap = snap with { ExpiryDate = (long)value }; break;
                default: break;
            }
        }

        return snap;
    }

    private static byte[] EncodeConfig(string key, string value)
    {
        var c = new Writer();
        c.String(1, key);
        c.String(2, value);
        return c.ToArray();
    }

    private static (string Key, string Value) DecodeConfig(ReadOnlySpan<byte> data)
    {
        string key = "", value = "";
        var r = new Reader(data);
        while (r.Next(out var field, out _, out var bytes))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(bytes);
            }
            else if (field == 2)
            {
                value = Encoding.UTF8.GetString(bytes);
            }
        }

        return (key, value);
    }

    private static (string Name, Dictionary<string, string> Config) DecodeDevice(ReadOnlySpan<byte> data)
    {
        var name = "";
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        var r = new Reader(data);
        while (r.Next(out var field, out _, out var bytes))
        {
            if (field == 1)
            {
                name = Encoding.UTF8.GetString(bytes);
            }
            else if (field == 2)
            {
                var (key, value) = DecodeConfig(bytes);
                config[key] = value;
            }
        }

        return (name, config);
    }

    private static MigrationIdmap DecodeIdmap(ReadOnlySpan<byte> data)
    {
        var values = new long[6];
        var r = new Reader(data);
        while (r.Next(out var field, out var value, out _))
        {
            if (field is >= 1 and <= 5)
            {
                values[field] = (int)value;
            }
        }

        return new MigrationIdmap(values[1] != 0, values[2] != 0, values[3], values[4], values[5]);
    }

    private static List<string> DecodeRsyncFeatures(ReadOnlySpan<byte> data)
    {
        var features = new List<string>();
        var r = new Reader(data);
        while (r.Next(out var field, out var value, out _))
        {
            if (field is >= 1 and <= 4 && value != 0)
            {
                features.Add(RsyncFeatureNames[field - 1]);
            }
        }

        return features;
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public void Varint(int field, ulong value)
        {
            Raw((ulong)(field << 3));
            Raw(value);
        }

        public void Bool(int field, bool value) => Varint(field, value ? 1UL : 0UL);

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, byte[] value)
        {
            Raw((ulong)((field << 3) | 2));
            Raw((ulong)value.Length);
            _buffer.Write(value);
        }

        public byte[] ToArray() => _buffer.ToArray();

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _buffer.WriteByte((byte)value);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        /// <summary>The next field: a varint in <paramref name="value"/> or a length-delimited payload in <paramref name="bytes"/>.</summary>
        public bool Next(out int field, out ulong value, out ReadOnlySpan<byte> bytes)
        {
            value = 0;
            bytes = default;
            field = 0;
            if (_position >= _data.Length)
            {
                return false;
            }

            var tag = Raw();
            field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    value = Raw();
                    break;
                case 1:
                    _position += 8;
                    break;
                case 2:
                    var length = checked((int)Raw());
                    if (length < 0 || _position + length > _data.Length)
                    {
                        throw new InvalidDataException("Truncated migration message");
                    }

                    bytes = _data.Slice(_position, length);
                    _position += length;
                    break;
                case 5:
                    _position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} in migration message");
            }

            return true;
        }

        private ulong Raw()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    throw new InvalidDataException("Truncated migration message");
                }

                var b = _data[_position++];
                result |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            throw new InvalidDataException("Malformed varint in migration message");
        }
    }
}
