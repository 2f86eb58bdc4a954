using System.Globalization;
using Berth.Api;
using Berth.Server.Config;
using Berth.Server.Operations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Server.Images;

/// <summary>
/// LXD's two image tasks: every <c>images.auto_update_interval</c> hours (0 = off) refresh the images with
/// <c>auto_update</c> and an update source; daily, remove cached images unused for <c>images.remote_cache_expiry</c>
/// days. Both also run at start, and again as soon as their key is changed, which is how a test makes them run
/// without waiting hours.
/// </summary>
public sealed partial class ImageTasks(ImagePuller puller, ImageService images, ServerConfigService config, OperationManager operations, TimeProvider time, ILogger<ImageTasks> logger) : BackgroundService
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromDays(1);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly Lock _lock = new();
    private DateTimeOffset _nextUpdate;
    private DateTimeOffset _nextPrune;
    private long _interval;
    private long _expiry;

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    /// <summary>Refreshes every image due for auto-update; failures are logged and the others still run.</summary>
    public async Task UpdateImagesAsync(IOperationContext operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        foreach (var image in AutoUpdated())
        {
            try
            {
                await puller.RefreshAsync("default", image.Fingerprint, operation, null).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                UpdateFailed(logger, image.Fingerprint, e.Message);
            }
        }
    }

    private IEnumerable<Image> AutoUpdated() => images.List("default").Where(i => i.AutoUpdate && i.UpdateSource is { Server.Length: > 0 });

    /// <summary>Removes the cached images unused for longer than the expiry.</summary>
    public async Task PruneAsync(DateTimeOffset now, long days, CancellationToken cancellationToken)
    {
        foreach (var image in images.ExpiredCached(now, days))
        {
            await images.DeleteAsync("default", image.Fingerprint, null, cancellationToken).ConfigureAwait(false);
            Pruned(logger, image.Fingerprint);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        (_interval, _expiry) = Read(config.Stored());
        _nextUpdate = now;
        _nextPrune = now;
        config.Changed += OnConfigChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await RunDueAsync(stoppingToken).ConfigureAwait(false);
                TimeSpan wait;
                lock (_lock)
                {
                    var next = _interval > 0 && _nextUpdate < _nextPrune ? _nextUpdate : _nextPrune;
                    wait = next - time.GetUtcNow();
                }

                wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;
                await _wake.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            config.Changed -= OnConfigChanged;
        }
    }

    private async Task RunDueAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        bool update, prune;
        long interval, expiry;
        lock (_lock)
        {
            interval = _interval;
            expiry = _expiry;
            update = interval > 0 && now >= _nextUpdate;
            prune = now >= _nextPrune;
            if (update)
            {
                _nextUpdate = now.AddHours(interval);
            }

            if (prune)
            {
                _nextPrune = now + PruneEvery;
            }
        }

        // An operation only when there is something to do: a fresh daemon lists no operations.
        if (update && AutoUpdated().Any())
        {
            await RunOperationAsync("Updating images", UpdateImagesAsync, stoppingToken).ConfigureAwait(false);
        }

        if (prune && images.ExpiredCached(now, expiry).Any())
        {
            await RunOperationAsync("Cleaning up expired images", op => PruneAsync(now, expiry, op.CancellationToken), stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the work as an operation (visible in /1.0/operations, as LXD's tasks are) and waits for it.</summary>
    private async Task RunOperationAsync(string description, Func<IOperationContext, Task> work, CancellationToken stoppingToken)
    {
        var operation = operations.Start(description, null, work);
        await operation.Completion.WaitAsync(stoppingToken).ConfigureAwait(false);
        if (operation.Snapshot().Err is { Length: > 0 } error)
        {
            TaskFailed(logger, description, error);
        }
    }

    private void OnConfigChanged(IReadOnlyDictionary<string, string> stored)
    {
        var (interval, expiry) = Read(stored);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (interval != _interval)
            {
                _interval = interval;
                _nextUpdate = now;
            }

            if (expiry != _expiry)
            {
                _expiry = expiry;
                _nextPrune = now;
            }
        }

        _wake.Release();
    }

    private static (long Interval, long Expiry) Read(IReadOnlyDictionary<string, string> stored) =>
        (Number(stored, "images.auto_update_interval"), Number(stored, "images.remote_cache_expiry"));

    private static long Number(IReadOnlyDictionary<string, string> stored, string key) =>
        long.Parse(stored.TryGetValue(key, out var value) ? value : ServerConfigSchema.DefaultValue(key)!, CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 720, Level = LogLevel.Warning, Message = "Auto-update of image {Fingerprint} failed: {Reason}")]
    private static partial void UpdateFailed(ILogger logger, string fingerprint, string reason);

    [LoggerMessage(EventId = 721, Level = LogLevel.Information, Message = "Removed expired cached image {Fingerprint}")]
    private static partial void Pruned(ILogger logger, string fingerprint);

    [LoggerMessage(EventId = 722, Level = LogLevel.Warning, Message = "{Task} failed: {Reason}")]
    private static partial void TaskFailed(ILogger logger, string task, string reason);
}
