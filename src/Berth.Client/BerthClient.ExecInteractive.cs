using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// Runs a command under a pseudo-terminal in the instance (LXD's interactive exec): <paramref name="input"/> goes
    /// to the terminal, its output (stdout and stderr together) to <paramref name="output"/>, and each size read from
    /// <paramref name="resizes"/> becomes a window-resize on the control socket. Returns the command's exit code.
    /// </summary>
    public async Task<int> ExecInteractiveAsync(string name, InstanceExecPost request, Stream input, Stream output, ChannelReader<(int Width, int Height)>? resizes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        request.WaitForWebsocket = true;
        request.Interactive = true;
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Uri.EscapeDataString(name)}/exec", request, ApiJsonContext.Wire.InstanceExecPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation)!;
        var fds = operation.Metadata?["fds"].Deserialize(ApiJsonContext.Wire.DictionaryStringString) ?? throw new ApiException(500, "The server sent no exec websockets");
        // Control first: the daemon starts the command once "0" is connected, and a control socket arriving after
        // the command ended would find the operation gone.
        using var control = await ConnectOperationSocketAsync(operation.Id, fds["control"], cancellationToken).ConfigureAwait(false);
        using var terminal = await ConnectOperationSocketAsync(operation.Id, fds["0"], cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Neither pump is awaited: a read of a terminal cannot be cancelled, and the command's end is what counts.
        _ = PumpTerminalInputAsync(terminal, input, stop.Token);
        _ = resizes is null ? Task.CompletedTask : ForwardResizesAsync(control, resizes, stop.Token);
        await ReceiveAsync(terminal, output, cancellationToken).ConfigureAwait(false);
        // Our close ends the daemon's wait on this socket (as lxc closes it once the output has ended).
        try
        {
            await terminal.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException)
        {
        }

        var done = await WaitOperationAsync(operation.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        return done.Metadata is { } metadata && metadata.TryGetValue("return", out var code) ? code.GetInt32() : -1;
    }

    private static async Task PumpTerminalInputAsync(WebSocket socket, Stream input, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The command ended while input was still coming: nothing to deliver it to.
        }
    }

    private static async Task ForwardResizesAsync(WebSocket control, ChannelReader<(int Width, int Height)> resizes, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (width, height) in resizes.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var message = new InstanceExecControl
                {
                    Command = "window-resize",
                    Args = new() { ["width"] = width.ToString(CultureInfo.InvariantCulture), ["height"] = height.ToString(CultureInfo.InvariantCulture) },
                };
                var bytes = JsonSerializer.SerializeToUtf8Bytes(message, ApiJsonContext.Wire.InstanceExecControl);
                await control.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
