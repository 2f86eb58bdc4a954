using System.Net.WebSockets;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Client.Transport;

namespace Berth.Client;

public sealed partial class BerthClient
{
    public async Task<List<InstanceFull>> GetInstancesFullAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/instances?recursion=2", ApiJsonContext.Wire.ListInstanceFull, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Creates an instance and waits for the operation.</summary>
    public async Task CreateInstanceAsync(InstancesPost request, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, "/1.0/instances", request, ApiJsonContext.Wire.InstancesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>start, stop, restart, freeze or unfreeze, waiting for the operation.</summary>
    public async Task ChangeInstanceStateAsync(string name, string action, bool force = false, int timeout = -1, CancellationToken cancellationToken = default)
    {
        var put = new InstanceStatePut { Action = action, Force = force, Timeout = timeout };
        var (response, _) = await SendJsonAsync(HttpMethod.Put, $"/1.0/instances/{Uri.EscapeDataString(name)}/state", put, ApiJsonContext.Wire.InstanceStatePut, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteInstanceAsync(string name, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(HttpMethod.Delete, $"/1.0/instances/{Uri.EscapeDataString(name)}", cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command without a terminal: stdin, stdout and stderr travel over three websockets (LXD's protocol);
    /// returns the command's exit code.
    /// </summary>
    public async Task<int> ExecAsync(string name, InstanceExecPost request, Stream? stdin, Stream stdout, Stream stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.WaitForWebsocket = true;
        request.Interactive = false;
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Uri.EscapeDataString(name)}/exec", request, ApiJsonContext.Wire.InstanceExecPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation)!;
        var fds = operation.Metadata?["fds"].Deserialize(ApiJsonContext.Wire.DictionaryStringString) ?? throw new ApiException(500, "The server sent no exec websockets");
        // All four at once: the command starts when the last one is connected.
        var sockets = await Task.WhenAll(new[] { "control", "0", "1", "2" }.Select(fd => ConnectOperationSocketAsync(operation.Id, fds[fd], cancellationToken))).ConfigureAwait(false);
        using var control = sockets[0];
        using var input = sockets[1];
        using var output = sockets[2];
        using var error = sockets[3];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = SendInputAsync(input, stdin, stop.Token);
        // Asked now, answered when the command has ended: no round trip after the output.
        var waiting = WaitOperationAsync(operation.Id, cancellationToken: cancellationToken);
        await Task.WhenAll(ReceiveAsync(output, stdout, cancellationToken), ReceiveAsync(error, stderr, cancellationToken)).ConfigureAwait(false);
        var done = await waiting.ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return done.Metadata is { } metadata && metadata.TryGetValue("return", out var code) ? code.GetInt32() : -1;
    }

    private async Task<WebSocket> ConnectOperationSocketAsync(string id, string secret, CancellationToken cancellationToken)
    {
        var path = $"/1.0/operations/{id}/websocket?secret={secret}";
        if (SocketPath is not null)
        {
            return await UnixWebSocket.ConnectAsync(SocketPath, path, cancellationToken).ConfigureAwait(false);
        }

        var socket = new ClientWebSocket();
        var scheme = BaseAddress.Scheme == "https" ? "wss" : "ws";
        await socket.ConnectAsync(new Uri($"{scheme}://{BaseAddress.Authority}{path}"), Invoker, cancellationToken).ConfigureAwait(false);
        return socket;
    }

    private static async Task SendInputAsync(WebSocket socket, Stream? stdin, CancellationToken cancellationToken)
    {
        try
        {
            if (stdin is not null)
            {
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
                }
            }

            // An empty text frame ends the stream (LXD's barrier).
            await socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
            // The command ended (and the daemon closed its stdin) before all input was sent: not an error, as in lxc.
        }
    }

    private static async Task ReceiveAsync(WebSocket socket, Stream target, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close || (result.MessageType == WebSocketMessageType.Text && result.Count == 0))
                {
                    break;
                }

                await target.WriteAsync(buffer.AsMemory(0, result.Count), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
        }

        await target.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
