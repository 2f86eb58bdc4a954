using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>Who is on the other end of a unix socket (SO_PEERCRED).</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads the peer's credentials; null when the socket is not a unix socket.</summary>
    public static PeerCredentials? Of(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, buffer);
        if (length < 12)
        {
            return null;
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(buffer),
            MemoryMarshal.Read<uint>(buffer[4..]),
            MemoryMarshal.Read<uint>(buffer[8..]));
    }
}
