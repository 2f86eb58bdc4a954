using Berth.Server.Migration;

namespace Berth.Server.Tests.Migration;

public sealed class MigrationCodecTests
{
    [Fact]
    public void EncodeHeader_MatchesProtobufWireBytes()
    {
        var header = new MigrationHeader
        {
            Fs = MigrationFsType.Rsync,
            Criu = CriuType.None,
            SnapshotNames = ["s1"],
            RsyncFeatures = ["xattrs", "delete", "compress", "bidirectional"],
            IndexHeaderVersion = 1,
        };

        // fs=0, criu=2, snapshotNames="s1", rsyncFeatures{1..4=true}, indexHeaderVersion=1 (field 13: tag 0x68).
        Assert.Equal(Convert.FromHexString("08001002220273314208080110011801200168" + "01"), MigrationCodec.Encode(header));
    }

    [Fact]
    public void BerthBtrfsOffer_IsAPrivateFieldAfterLxdsAndRoundTrips()
    {
        var plain = new MigrationHeader { Fs = MigrationFsType.Rsync, IndexHeaderVersion = 1 };
        var offer = plain with { BerthBtrfs = true };

        var bytes = MigrationCodec.Encode(offer);

        // LXD's fields unchanged, then field 1000 as a varint (tag 1000 << 3 = 0x1f40: c0 3e) set to 1.
        Assert.Equal([.. MigrationCodec.Encode(plain), 0xc0, 0x3e, 0x01], bytes);
        Assert.True(MigrationCodec.DecodeHeader(bytes).BerthBtrfs);
        Assert.False(MigrationCodec.DecodeHeader(MigrationCodec.Encode(plain)).BerthBtrfs);
    }

    [Fact]
    public void DecodeHeader_RoundTripsSnapshotsAndIdmap()
    {
        var header = new MigrationHeader
        {
            Fs = MigrationFsType.Btrfs,
            Idmap = [new MigrationIdmap(true, true, 1000000, 0, 1000000000)],
            SnapshotNames = ["s1"],
            Snapshots = [new MigrationSnapshot
            {
                Name = "s1",
                Config = new() { ["user.a"] = "b" },
                Devices = new() { ["root"] = new() { ["type"] = "disk", ["path"] = "/" } },
                Profiles = ["default"],
                Architecture = 2,
                CreationDate = 1700000000,
                ExpiryDate = -62135596800,
            }],
            RsyncFeatures = ["xattrs", "compress"],
            IndexHeaderVersion = 1,
        };

        var decoded = MigrationCodec.DecodeHeader(MigrationCodec.Encode(header));

        Assert.Equal(MigrationFsType.Btrfs, decoded.Fs);
        Assert.Null(decoded.Criu);
        Assert.Equal(header.Idmap, decoded.Idmap);
        Assert.Equal(["xattrs", "compress"], decoded.RsyncFeatures);
        var snap = Assert.Single(decoded.Snapshots);
        Assert.Equal("b", snap.Config["user.a"]);
        Assert.Equal("/", snap.Devices["root"]["path"]);
        Assert.Equal(["default"], snap.Profiles);
        Assert.Equal(2, snap.Architecture);
        Assert.Equal(1700000000, snap.CreationDate);
        Assert.Equal(-62135596800, snap.ExpiryDate);
        Assert.Equal(1u, decoded.IndexHeaderVersion);
    }

    [Fact]
    public void Control_RoundTripsAndMatchesWireBytes()
    {
        Assert.Equal(Convert.FromHexString("08011200"), MigrationCodec.Encode(new MigrationControl(true, null)));
        Assert.Equal(new MigrationControl(false, "no space"), MigrationCodec.DecodeControl(MigrationCodec.Encode(new MigrationControl(false, "no space"))));
    }

    [Fact]
    public void DecodeHeader_Truncated_Throws() =>
        Assert.Throws<InvalidDataException>(() => MigrationCodec.DecodeHeader(Convert.FromHexString("2205")));
}
