using System.Collections.Concurrent;
using Berth.Api;

namespace Berth.Server.Images;

/// <summary>
/// Reads every byte of imported images whose import read only the head (<see cref="ImageContents.Complete"/> false),
/// one image at a time, right after the import answered: a 67 MB gzip image takes 0.5 s of one core to inflate,
/// more than LXD's whole import, which never reads past metadata.yaml. A corrupt one is handed to
/// <c>onCorrupt</c> (which removes it); a delete cancels its check. Best effort across restarts: an image whose
/// check a stopped daemon did not finish is still checked by its first unpack, as LXD's are.
/// </summary>
public sealed class ImageVerifier(Func<string, string, Task> onCorrupt)
{
    /// <summary>The checks queued or running, each with what cancels it.</summary>
    private readonly ConcurrentDictionary<string, (CancellationTokenSource Cancel, Task Done)> _checks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _one = new(1, 1);

    public void Start(string fingerprint, string metadataPath, string? rootfsPath)
    {
        var cancel = new CancellationTokenSource();
        // Registered before it starts, so a check that ends at once cannot leave its entry behind.
        var run = new Task<Task>(() => RunAsync(fingerprint, metadataPath, rootfsPath, cancel));
        _checks[fingerprint] = (cancel, run.Unwrap());
        run.Start(TaskScheduler.Default);
    }

    /// <summary>Stops the check of an image being deleted or replaced (its files are about to go).</summary>
    public void Cancel(string fingerprint)
    {
        if (_checks.TryGetValue(fingerprint, out var check))
        {
            check.Cancel.Cancel();
        }
    }

    /// <summary>Completes when the image's check (if any) is over, whatever its outcome.</summary>
    public Task WaitAsync(string fingerprint) => _checks.TryGetValue(fingerprint, out var check) ? check.Done : Task.CompletedTask;

    private async Task RunAsync(string fingerprint, string metadataPath, string? rootfsPath, CancellationTokenSource cancel)
    {
        try
        {
            await _one.WaitAsync(cancel.Token).ConfigureAwait(false);
            try
            {
                ImageArchive.Verify(metadataPath, rootfsPath, cancel.Token);
            }
            finally
            {
                _one.Release();
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is ApiException or IOException)
        {
            // A delete that raced the check removed the files: nothing to report.
            if (!cancel.IsCancellationRequested && File.Exists(metadataPath))
            {
                await onCorrupt(fingerprint, e.Message).ConfigureAwait(false);
            }
        }
        finally
        {
            // Only this check's entry: the same image imported again has a check of its own.
            if (_checks.TryGetValue(fingerprint, out var current) && current.Cancel == cancel)
            {
                _checks.TryRemove(KeyValuePair.Create(fingerprint, current));
            }
        }
    }
}
