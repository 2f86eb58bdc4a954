using System.Collections.Concurrent;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Events;

namespace Berth.Server.Operations;

/// <summary>What an operation's work sees: its cancellation and a way to publish progress metadata.</summary>
public interface IOperationContext
{
    string Id { get; }

    CancellationToken CancellationToken { get; }

    void SetMetadata(string key, JsonElement value);
}

/// <summary>
/// Runs background operations the way LXD does: Pending, Running, then Success, Failure or Cancelled, with an
/// operation event at each step. Finished operations stay visible for a while, then are dropped.
/// </summary>
public sealed class OperationManager : IDisposable
{
    private readonly ConcurrentDictionary<string, OperationEntry> _operations = new(StringComparer.Ordinal);
    private readonly EventHub _events;
    private readonly TimeProvider _time;

    public OperationManager(EventHub events, TimeProvider time)
    {
        _events = events;
        _time = time;
    }

    /// <summary>How long a finished operation stays queryable (LXD: 5 s).</summary>
    public TimeSpan RetainFinished { get; init; } = TimeSpan.FromSeconds(5);

    public OperationEntry Start(
        string description,
        Dictionary<string, List<string>>? resources,
        Func<IOperationContext, Task> work,
        string operationClass = OperationClass.Task,
        bool mayCancel = false,
        Dictionary<string, JsonElement>? metadata = null,
        string project = "default",
        Action<OperationEntry>? registerBeforeRun = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        var now = _time.GetUtcNow();
        var entry = new OperationEntry(this, new Operation
        {
            Id = Guid.NewGuid().ToString(),
            Class = operationClass,
            Description = description,
            CreatedAt = now,
            UpdatedAt = now,
            Status = StatusCode.Name(StatusCode.Pending),
            StatusCode = StatusCode.Pending,
            Resources = resources,
            Metadata = metadata,
            MayCancel = mayCancel,
        }, project);
        _operations[entry.Id] = entry;
        registerBeforeRun?.Invoke(entry);
        Publish(entry);
        _ = Task.Run(() => RunAsync(entry, work));
        return entry;
    }

    public OperationEntry? Get(string id) => _operations.TryGetValue(id, out var entry) ? entry : null;

    public IReadOnlyCollection<OperationEntry> List() => [.. _operations.Values];

    public void Dispose()
    {
        foreach (var entry in _operations.Values)
        {
            entry.Cancellation.Cancel();
        }
    }

    internal void Publish(OperationEntry entry)
    {
        if (_events.HasListeners(EventType.Operation))
        {
            _events.Publish(EventType.Operation, JsonSerializer.SerializeToElement(entry.Snapshot(), ApiJsonContext.Wire.Operation), entry.Project);
        }
    }

    internal DateTimeOffset Now => _time.GetUtcNow();

    private async Task RunAsync(OperationEntry entry, Func<IOperationContext, Task> work)
    {
        entry.SetStatus(StatusCode.Running, null);
        try
        {
            await work(entry).ConfigureAwait(false);
            entry.SetStatus(StatusCode.Success, null);
        }
        catch (OperationCanceledException) when (entry.Cancellation.IsCancellationRequested)
        {
            entry.SetStatus(StatusCode.Cancelled, "Operation cancelled");
        }
#pragma warning disable CA1031 // any failure of the work is the operation's failure, reported in `err`
        catch (Exception e)
#pragma warning restore CA1031
        {
            entry.SetStatus(StatusCode.Failure, e.Message);
        }

        _ = Task.Delay(RetainFinished, _time).ContinueWith(_ => _operations.TryRemove(entry.Id, out var _), TaskScheduler.Default);
    }
}

/// <summary>One operation: its wire state, completion and cancellation.</summary>
public sealed class OperationEntry : IOperationContext
{
    private readonly OperationManager _manager;
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Operation _state;

    internal OperationEntry(OperationManager manager, Operation state, string project)
    {
        _manager = manager;
        _state = state;
        Project = project;
    }

    public string Id => _state.Id;

    public string Project { get; }

    public CancellationTokenSource Cancellation { get; } = new();

    public CancellationToken CancellationToken => Cancellation.Token;

    /// <summary>Completes when the operation reaches a final state.</summary>
    public Task Completion => _done.Task;

    public Operation Snapshot()
    {
        lock (_lock)
        {
            return _state with
            {
                Metadata = _state.Metadata is null ? null : new Dictionary<string, JsonElement>(_state.Metadata),
            };
        }
    }

    public void SetMetadata(string key, JsonElement value)
    {
        lock (_lock)
        {
            _state.Metadata ??= [];
            _state.Metadata[key] = value;
            _state.UpdatedAt = _manager.Now;
        }

        _manager.Publish(this);
    }

    /// <summary>Asks the work to stop; false when the operation cannot be cancelled.</summary>
    public bool Cancel()
    {
        if (!_state.MayCancel)
        {
            return false;
        }

        Cancellation.Cancel();
        return true;
    }

    internal void SetStatus(int code, string? error)
    {
        lock (_lock)
        {
            _state.StatusCode = code;
            _state.Status = StatusCode.Name(code);
            _state.UpdatedAt = _manager.Now;
            if (error is not null)
            {
                _state.Err = error;
            }
        }

        _manager.Publish(this);
        if (StatusCode.IsFinal(code))
        {
            _done.TrySetResult();
        }
    }
}
