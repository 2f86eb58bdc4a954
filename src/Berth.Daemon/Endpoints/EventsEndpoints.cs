using System.Net.WebSockets;
using Berth.Api;
using Berth.Daemon.Http;
using Berth.Server.Events;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/events</c>: a websocket of JSON text frames, filtered by <c>type=</c>.</summary>
internal sealed class EventsEndpoints(EventHub events)
{
    private static readonly string[] AllTypes = [EventType.Logging, EventType.Operation, EventType.Lifecycle];

    public void Map(IEndpointRouteBuilder routes) => routes.MapApi("/1.0/events", new ApiRoute { Get = StreamAsync });

    private async Task StreamAsync(HttpContext context)
    {
        context.Request.Project();
        var types = ParseTypes(context.Request.Query["type"].ToString());
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new ApiException(400, "The events endpoint requires a websocket connection");
        }

        using var listener = events.Subscribe(types);
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);

        // The client never sends data; reading detects its close so the listener goes away.
        _ = DrainAsync(socket, closed);
        try
        {
            await foreach (var frame in listener.Frames.ReadAllAsync(closed.Token).ConfigureAwait(false))
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, closed.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }

        if (socket.State == WebSocketState.Open || socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
            }
        }
    }

    private static HashSet<string> ParseTypes(string query)
    {
        if (query.Length == 0)
        {
            return [.. AllTypes];
        }

        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in query.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!AllTypes.Contains(type))
            {
                throw new ApiException(400, $"'{type}' isn't a supported event type");
            }

            types.Add(type);
        }

        return types;
    }

    private static async Task DrainAsync(WebSocket socket, CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, closed.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            await closed.CancelAsync().ConfigureAwait(false);
        }
    }
}
