using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// Streams <c>/1.0/events</c> (websocket, one JSON <see cref="Event"/> per text frame) until the server closes
    /// the socket or <paramref name="cancellationToken"/> fires. <paramref name="types"/> filters by event type
    /// (<c>logging</c>, <c>operation</c>, <c>lifecycle</c>); empty means all.
    /// </summary>
    public async IAsyncEnumerable<Event> GetEventsAsync(
        IEnumerable<string>? types = null,
        bool allProjects = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var frame in GetEventsRawAsync(types, allProjects, cancellationToken).ConfigureAwait(false))
        {
            Event? ev;
            try
            {
                ev = frame.Deserialize(ApiJsonContext.Wire.Event);
            }
            catch (JsonException)
            {
                continue;
            }

            if (ev is not null)
            {
                yield return ev;
            }
        }
    }

    /// <summary>As <see cref="GetEventsAsync"/>, but each frame as the server wrote it (timestamps keep their precision).</summary>
    public async IAsyncEnumerable<JsonElement> GetEventsRawAsync(
        IEnumerable<string>? types = null,
        bool allProjects = false,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = EventsPath(types, allProjects);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri((BaseAddress.Scheme == "https" ? "wss://" : "ws://") + BaseAddress.Authority + WithProject(path)), Invoker, cancellationToken).ConfigureAwait(false);

        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException) when (socket.State != WebSocketState.Open)
            {
                yield break;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                yield break;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var frame = message.ToArray();
            message.SetLength(0);
            if (frame.Length == 0)
            {
                continue;
            }

            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(frame);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                continue;
            }

            if (element.ValueKind == JsonValueKind.Object)
            {
                yield return element;
            }
        }
    }

    internal static string EventsPath(IEnumerable<string>? types, bool allProjects)
    {
        var query = new List<string>();
        var typeList = types?.Where(t => !string.IsNullOrEmpty(t)).ToList() ?? [];
        if (typeList.Count > 0)
        {
            query.Add("type=" + string.Join(',', typeList));
        }

        if (allProjects)
        {
            query.Add("all-projects=true");
        }

        return "/1.0/events" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }
}
