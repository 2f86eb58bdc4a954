using System.Net.Sockets;
using Berth.Client;

namespace Berth.Daemon.Commands;

/// <summary>Talks to the berthd of this data dir over its socket, for the client-side sub-commands.</summary>
internal static class LocalDaemon
{
    public static string SocketPath => new DaemonOptions().SocketPath;

    public static BerthClient Connect(TimeSpan? timeout = null) => BerthClient.ConnectUnix(SocketPath, timeout);

    /// <summary>True when something accepts connections on the socket.</summary>
    public static async Task<bool> IsListeningAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync("Error: " + message).ConfigureAwait(false);
        return 1;
    }
}
