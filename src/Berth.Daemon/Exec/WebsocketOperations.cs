using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;

namespace Berth.Daemon.Exec;

/// <summary>
/// The websockets of websocket-class operations: each stream of an operation has a secret; a client connects with
/// <c>/1.0/operations/{id}/websocket?secret=</c> and the operation takes the socket over until it is done.
/// </summary>
internal sealed class WebsocketOperations
{
    private readonly ConcurrentDictionary<string, WebsocketSlots> _operations = new(StringComparer.Ordinal);

    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public WebsocketSlots Register(string operationId, IReadOnlyDictionary<string, string> secretsByStream)
    {
        var slots = new WebsocketSlots(secretsByStream);
        _operations[operationId] = slots;
        return slots;
    }

    public void Unregister(string operationId) => _operations.TryRemove(operationId, out _);

    public WebsocketSlots? Find(string operationId) => _operations.GetValueOrDefault(operationId);
}

/// <summary>The named streams of one operation ("0", "1", "2", "control").</summary>
internal sealed class WebsocketSlots(IReadOnlyDictionary<string, string> secretsByStream)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WebSocket>> _sockets = new(
        secretsByStream.Keys.Select(k => new KeyValuePair<string, TaskCompletionSource<WebSocket>>(k, new(TaskCreationOptions.RunContinuationsAsynchronously))),
        StringComparer.Ordinal);

    /// <summary>Set when the operation is finished with every socket, so their HTTP requests can end.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyDictionary<string, string> Secrets => secretsByStream;

    /// <summary>The stream a secret opens, or null for a wrong or already used secret.</summary>
    public string? StreamFor(string secret)
    {
        foreach (var (stream, expected) in secretsByStream)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(secret))
                && !_sockets[stream].Task.IsCompleted)
            {
                return stream;
            }
        }

        return null;
    }

    public void Connected(string stream, WebSocket socket) => _sockets[stream].TrySetResult(socket);

    public Task<WebSocket> SocketAsync(string stream) => _sockets[stream].Task;

    /// <summary>
    /// Waits until the data streams are connected (control is optional: pylxd never opens it), or fails after
    /// <paramref name="timeout"/> as LXD does.
    /// </summary>
    public async Task WaitAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_sockets.Where(s => s.Key != "control").Select(s => s.Value.Task)).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("Timed out waiting for websockets to connect");
        }
    }
}
