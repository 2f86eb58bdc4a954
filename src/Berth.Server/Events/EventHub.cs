using System.Text.Json;
using System.Threading.Channels;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Server.Events;

/// <summary>
/// Fans events out to <c>/1.0/events</c> listeners. Each event is serialised once; a listener that cannot keep
/// up loses its oldest frames rather than slowing the daemon down.
/// </summary>
public sealed class EventHub
{
    private const int ListenerBacklog = 4096;
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private EventListener[] _listeners = [];

    public EventHub(TimeProvider time) => _time = time;

    /// <summary>True when someone listens for <paramref name="type"/>: lets callers skip building costly events.</summary>
    public bool HasListeners(string type)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            if (listener.Wants(type))
            {
                return true;
            }
        }

        return false;
    }

    public EventListener Subscribe(IReadOnlySet<string> types)
    {
        var listener = new EventListener(this, types, Channel.CreateBounded<byte[]>(new BoundedChannelOptions(ListenerBacklog)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }));
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }

        return listener;
    }

    public void Publish(string type, JsonElement metadata, string? project)
    {
        var listeners = Volatile.Read(ref _listeners);
        if (listeners.Length == 0)
        {
            return;
        }

        byte[]? frame = null;
        foreach (var listener in listeners)
        {
            if (!listener.Wants(type))
            {
                continue;
            }

            frame ??= JsonSerializer.SerializeToUtf8Bytes(new Event
            {
                Type = type,
                Timestamp = _time.GetUtcNow(),
                Metadata = metadata,
                Project = project,
            }, ApiJsonContext.Wire.Event);
            listener.Channel.Writer.TryWrite(frame);
        }
    }

    public void PublishLifecycle(string action, string source, Dictionary<string, JsonElement>? context = null, EventLifecycleRequestor? requestor = null, string project = "default")
    {
        if (!HasListeners(EventType.Lifecycle))
        {
            return;
        }

        var metadata = JsonSerializer.SerializeToElement(new EventLifecycle
        {
            Action = action,
            Source = source,
            Context = context,
            Requestor = requestor,
        }, ApiJsonContext.Wire.EventLifecycle);
        Publish(EventType.Lifecycle, metadata, project);
    }

    public void PublishLogging(string level, string message, Dictionary<string, string>? context = null)
    {
        if (!HasListeners(EventType.Logging))
        {
            return;
        }

        var metadata = JsonSerializer.SerializeToElement(new EventLogging
        {
            Message = message,
            Level = level,
            Context = context ?? [],
        }, ApiJsonContext.Wire.EventLogging);
        Publish(EventType.Logging, metadata, null);
    }

    internal void Remove(EventListener listener)
    {
        lock (_lock)
        {
            _listeners = [.. _listeners.Where(l => l != listener)];
        }

        listener.Channel.Writer.TryComplete();
    }
}

/// <summary>One subscriber; dispose to unsubscribe.</summary>
public sealed class EventListener : IDisposable
{
    private readonly EventHub _hub;
    private readonly IReadOnlySet<string> _types;

    internal EventListener(EventHub hub, IReadOnlySet<string> types, Channel<byte[]> channel)
    {
        _hub = hub;
        _types = types;
        Channel = channel;
    }

    internal Channel<byte[]> Channel { get; }

    /// <summary>Serialised event frames, in order.</summary>
    public ChannelReader<byte[]> Frames => Channel.Reader;

    public bool Wants(string type) => _types.Contains(type);

    public void Dispose() => _hub.Remove(this);
}
