using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Native;

/// <summary>An interface of a network namespace, with its addresses (what <c>ip addr</c> shows).</summary>
public sealed record NetnsLink(string Name, string Hwaddr, int Mtu, bool Up, IReadOnlyList<NetnsAddress> Addresses);

/// <summary>An address: family inet/inet6, prefix length, scope global/link/local.</summary>
public sealed record NetnsAddress(string Family, string Address, int PrefixLength, string Scope);

/// <summary>
/// A process's interfaces and addresses over rtnetlink, with no tool run: the netlink socket is made in the
/// process's network namespace (a socket stays in the namespace it was made in) by the calling thread, which
/// goes back home at once (<see cref="NetNamespace.OpenSocketIn"/>). Replaces an <c>nsenter ip -j addr</c> per container per
/// state request (several ms each; <c>lxc list</c> asks for every container's state).
/// </summary>
public static class NetnsLinks
{
    private const ushort RtmNewLink = 16;
    private const ushort RtmGetLink = 18;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmGetAddr = 22;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort NlmFRequestDump = 0x1 | 0x300;
    private const int IflaAddress = 1;
    private const int IflaIfname = 3;
    private const int IflaMtu = 4;
    private const ushort IflaExtMask = 29;
    private const uint RtextFilterSkipStats = 1 << 3;
    private const int IfaAddress = 1;
    private const int IfaLocal = 2;

    /// <summary>The interfaces of <paramref name="pid"/>'s network namespace, in index order; null if it is gone.</summary>
    public static IReadOnlyList<NetnsLink>? Read(int pid)
    {
        var fd = OpenSocketIn(pid);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var links = new SortedDictionary<int, (string Name, string Hwaddr, int Mtu, bool Up, List<NetnsAddress> Addresses)>();
            // No counters in the link dump (the state takes them from /proc/<pid>/net/dev): less for the kernel to make.
            Dump(fd, RtmGetLink, 16, RtextFilterSkipStats, (type, message) =>
            {
                if (type == RtmNewLink)
                {
                    var index = BinaryPrimitives.ReadInt32LittleEndian(message[4..]);
                    var flags = BinaryPrimitives.ReadUInt32LittleEndian(message[8..]);
                    string name = "", hwaddr = "";
                    var mtu = 0;
                    var attributes = message[16..];
                    while (NextAttribute(ref attributes, out var attribute, out var value))
                    {
                        switch (attribute)
                        {
                            case IflaIfname: name = Encoding.ASCII.GetString(value.TrimEnd((byte)0)); break;
                            case IflaAddress: hwaddr = Mac(value); break;
                            case IflaMtu: mtu = BinaryPrimitives.ReadInt32LittleEndian(value); break;
                        }
                    }

                    links[index] = (name, hwaddr, mtu, (flags & 1) != 0, []);
                }
            });
            Dump(fd, RtmGetAddr, 8, 0, (type, message) =>
            {
                if (type != RtmNewAddr)
                {
                    return;
                }

                var family = message[0];
                var index = BinaryPrimitives.ReadInt32LittleEndian(message[4..]);
                scoped ReadOnlySpan<byte> address = default, local = default;
                var attributes = message[8..];
                while (NextAttribute(ref attributes, out var attribute, out var value))
                {
                    if (attribute == IfaAddress)
                    {
                        address = value;
                    }
                    else if (attribute == IfaLocal)
                    {
                        local = value;
                    }
                }

                var bytes = local.IsEmpty ? address : local;
                if (!bytes.IsEmpty && links.TryGetValue(index, out var link))
                {
                    link.Addresses.Add(new NetnsAddress(family == 10 ? "inet6" : "inet", new IPAddress(bytes).ToString(), message[1], Scope(message[3])));
                }
            });
            return [.. links.Values.Select(l => new NetnsLink(l.Name, l.Hwaddr, l.Mtu, l.Up, l.Addresses))];
        }
        finally
        {
            Interop.Libc.Close(fd);
        }
    }

    /// <summary>A 6-byte link address as aa:bb:cc:dd:ee:ff; other lengths (none, tunnels) as "".</summary>
    private static string Mac(ReadOnlySpan<byte> address)
    {
        if (address.Length != 6)
        {
            return "";
        }

        Span<char> text = stackalloc char[17];
        for (var i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                text[(i * 3) - 1] = ':';
            }

            Convert.TryToHexStringLower(address.Slice(i, 1), text.Slice(i * 3, 2), out _);
        }

        return new string(text);
    }

    private static string Scope(byte scope) => scope switch
    {
        0 => "global",
        200 => "site",
        253 => "link",
        254 => "local",
        _ => scope.ToString(CultureInfo.InvariantCulture),
    };

    private static int OpenSocketIn(int pid) =>
        NetNamespace.OpenSocketIn(pid, Interop.Libc.AfNetlink, Interop.Libc.SockRaw | Interop.Libc.SockCloexec, Interop.Libc.NetlinkRoute);

    private delegate void MessageHandler(ushort type, ReadOnlySpan<byte> payload);

    /// <summary>
    /// Sends a dump request with a zeroed <paramref name="headerSize"/>-byte family header (and, unless 0, an
    /// IFLA_EXT_MASK of <paramref name="extMask"/>) and reads to DONE.
    /// </summary>
    private static unsafe void Dump(int fd, ushort type, int headerSize, uint extMask, MessageHandler handle)
    {
        var request = new byte[16 + headerSize + (extMask == 0 ? 0 : 8)];
        if (extMask != 0)
        {
            var attribute = request.AsSpan(16 + headerSize);
            BinaryPrimitives.WriteUInt16LittleEndian(attribute, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(attribute[2..], IflaExtMask);
            BinaryPrimitives.WriteUInt32LittleEndian(attribute[4..], extMask);
        }

        BinaryPrimitives.WriteInt32LittleEndian(request, request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), NlmFRequestDump);
        BinaryPrimitives.WriteInt32LittleEndian(request.AsSpan(8), type);
        fixed (byte* p = request)
        {
            if (Interop.Libc.Send(fd, p, (nuint)request.Length, 0) < 0)
            {
                throw new ErrnoException(Marshal.GetLastPInvokeError(), "netlink send");
            }
        }

        // Pooled: two dumps per container and `lxc list` reads them all; a fresh 64 KiB array each time was
        // megabytes of zeroing and gen0 garbage per request.
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            DumpInto(fd, buffer, handle);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static unsafe void DumpInto(int fd, byte[] buffer, MessageHandler handle)
    {
        for (var reads = 0; reads < 10_000; reads++)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Interop.Libc.Recv(fd, p, (nuint)buffer.Length, 0);
            }

            if (n < 0)
            {
                throw new ErrnoException(Marshal.GetLastPInvokeError(), "netlink recv");
            }

            var data = buffer.AsSpan(0, (int)n);
            while (data.Length >= 16)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(data);
                var messageType = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                if (length < 16 || length > data.Length || messageType is NlmsgDone or NlmsgError)
                {
                    return;
                }

                handle(messageType, data[16..length]);
                data = data[Math.Min(Align(length), data.Length)..];
            }
        }
    }

    /// <summary>The next rtattr of <paramref name="data"/> (advanced past it), its value a view into the message.</summary>
    private static bool NextAttribute(ref ReadOnlySpan<byte> data, out int type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (data.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(data);
        if (length < 4 || length > data.Length)
        {
            return false;
        }

        type = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) & 0x3fff;
        value = data[4..length];
        data = data[Math.Min(Align(length), data.Length)..];
        return true;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
