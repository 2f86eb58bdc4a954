using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Native;
using Berth.Server.Operations;

namespace Berth.Daemon.Exec;

/// <summary>
/// One <c>console</c> attachment: relays the container's console pty (tty 0) over the "0" websocket and applies
/// window-resize from "control", until the client goes away or the console closes (the container stopped).
/// </summary>
internal sealed class ConsoleSession(string lxcPath, string name, InstanceConsolePost request, WebsocketSlots slots)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(IOperationContext operation)
    {
        try
        {
            var cancellationToken = operation.CancellationToken;
            await slots.WaitAllAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
            var data = await slots.SocketAsync("0").ConfigureAwait(false);
            var control = slots.SocketAsync("control");

            using var console = ContainerConsole.Attach(lxcPath, name);
            if (request.Width > 0 && request.Height > 0)
            {
                console.SetWindowSize(request.Width, request.Height);
            }

            var reader = console.OpenStream();
            using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var input = WebsocketStreams.ReceiveToAsync(data, console.OpenStream(), relay.Token);
            var output = WebsocketStreams.SendFromAsync(reader, data, relay.Token);
            var controlling = ControlAsync(control, console, relay.Token);
            // lxc detaches (ctrl-a q) by closing only the control socket: that ends the session too.
            await Task.WhenAny(input, output, controlling).ConfigureAwait(false);
            await relay.CancelAsync().ConfigureAwait(false);
            await reader.DisposeAsync().ConfigureAwait(false);
            await Task.WhenAll(input, output, controlling).ConfigureAwait(false);
            await WebsocketStreams.CloseAsync(data).ConfigureAwait(false);
            if (control.IsCompletedSuccessfully)
            {
                await WebsocketStreams.CloseAsync(control.Result).ConfigureAwait(false);
            }
        }
        finally
        {
            slots.Done.TrySetResult();
        }
    }

    private static async Task ControlAsync(Task<WebSocket> connecting, ContainerConsole console, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var control = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
            while (control.State == WebSocketState.Open)
            {
                var result = await control.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                InstanceExecControl? message;
                try
                {
                    message = result.Count == 0 ? null : JsonSerializer.Deserialize(buffer.AsSpan(0, result.Count), ApiJsonContext.Wire.InstanceExecControl);
                }
                catch (JsonException)
                {
                    continue;
                }

                if (message?.Command == "window-resize" && message.Args is { } args
                    && int.TryParse(args.GetValueOrDefault("width"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var width)
                    && int.TryParse(args.GetValueOrDefault("height"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var height))
                {
                    console.SetWindowSize(width, height);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }
}
