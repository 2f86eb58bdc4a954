using System.Net.Sockets;

namespace Berth.Client;

/// <summary>The daemon's socket could not be reached; the message names the socket.</summary>
public sealed class BerthConnectionException : IOException
{
    public BerthConnectionException(string socketPath, Exception inner)
        : base($"Failed to connect to the daemon at unix socket {socketPath}: {Reason(inner)}", inner) => SocketPath = socketPath;

    public BerthConnectionException() : this("", new SocketException()) { }

    public BerthConnectionException(string message) : base(message) => SocketPath = "";

    public string SocketPath { get; }

    private static string Reason(Exception inner) => inner is SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported }
        ? "no such file or directory"
        : inner.Message.ToLowerInvariant();
}
