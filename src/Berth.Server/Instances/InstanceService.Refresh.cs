using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// <c>lxc copy SRC DST --refresh</c> onto an existing instance (LXD 5.0): the target must be stopped; snapshots the
/// source has and the target lacks are copied, target snapshots the source no longer has (or has anew, with another
/// creation date) are dropped, and the target's volume is replaced by a copy of the source's. The target's record is
/// left alone (Debian's lxc updates its config from the source's afterwards). Without a target, a refresh is a plain copy.
/// </summary>
public sealed partial class InstanceService
{
    private bool IsRefresh(string project, InstancesPost request) =>
        request.Source.Type == "copy" && request.Source.Refresh && _store.Snapshot().Get(Key(project, request.Name)) is not null;

    private void ValidateRefresh(string project, InstancesPost request)
    {
        ValidateCopy(project, request);
        var (sourceName, _) = CopySource(request.Source);
        if (SourceProject(project, request.Source) == project && sourceName == request.Name)
        {
            throw new ApiException(400, "An instance cannot be refreshed from itself");
        }

        if (Get(project, request.Name).StatusCode != StatusCode.Stopped)
        {
            throw new ApiException(400, "Cannot refresh a running instance");
        }
    }

    private async Task<Instance> RefreshAsync(string project, InstancesPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ValidateRefresh(project, request);
        var name = request.Name;
        var sourceProject = SourceProject(project, request.Source);
        var (sourceName, snapName) = CopySource(request.Source);
        var reader = _store.Snapshot();
        var sourcePool = PoolOf(sourceProject, sourceName);
        var pool = PoolOf(project, name);
        var driver = _pools.DriverOf(pool);

        List<InstanceSnapshot> sourceSnaps = snapName is null && !request.Source.InstanceOnly
            ? reader.ListJson(SnapshotPrefix(sourceProject, sourceName), ApiJsonContext.Wire.InstanceSnapshot).Select(s => s.Value).OrderBy(s => s.CreatedAt).ToList()
            : [];
        var targetSnaps = reader.ListJson(SnapshotPrefix(project, name), ApiJsonContext.Wire.InstanceSnapshot).Select(s => s.Value).ToDictionary(s => s.Name, StringComparer.Ordinal);
        // LXD compares by name and creation date: a snapshot made anew under an old name is sent again.
        List<InstanceSnapshot> stale = request.Source.InstanceOnly ? [] : targetSnaps.Values.Where(t => !sourceSnaps.Any(s => s.Name == t.Name && s.CreatedAt == t.CreatedAt)).ToList();
        var missing = sourceSnaps.Where(s => !targetSnaps.TryGetValue(s.Name, out var t) || t.CreatedAt != s.CreatedAt).ToList();

        using var revert = new Reverter();
        var added = new List<InstanceSnapshot>();
        foreach (var snap in missing)
        {
            var target = _paths.SnapshotVolume(name, snap.Name, pool);
            var moved = target + ".stale";
            if (Directory.Exists(target))
            {
                // Same name, other creation date: the old one waits aside until the refresh has succeeded.
                Directory.Move(target, moved);
                revert.Add(() => Directory.Move(moved, target));
            }

            await _pools.CopyVolumeAsync(sourcePool, _paths.SnapshotVolume(sourceName, snap.Name, sourcePool), pool, target, readOnly: true, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
            added.Add(snap);
        }

        var volume = _paths.Volume(name, pool);
        var aside = volume + ".refreshing";
        await driver.DeleteVolumeAsync(aside, cancellationToken).ConfigureAwait(false);
        Directory.Move(volume, aside);
        revert.Add(() =>
        {
            driver.DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult();
            Directory.Move(aside, volume);
        });
        var from = snapName is null ? _paths.Volume(sourceName, sourcePool) : _paths.SnapshotVolume(sourceName, snapName, sourcePool);
        await _pools.CopyVolumeAsync(sourcePool, from, pool, volume, readOnly: false, cancellationToken).ConfigureAwait(false);
        if (RootSizeOf(project, name) is { } size)
        {
            await driver.SetQuotaAsync(volume, size, cancellationToken).ConfigureAwait(false);
        }

        File.SetUnixFileMode(volume, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        if (File.Exists(Path.Combine(volume, "metadata.yaml")))
        {
            TemplateApplier.Apply(volume, _paths.Rootfs(name, pool), "copy", name);
        }

        await _store.TransactionAsync(tx =>
        {
            Stored(tx, project, name);
            foreach (var snap in stale)
            {
                tx.Delete(SnapshotPrefix(project, name) + snap.Name);
            }

            foreach (var snap in added)
            {
                tx.PutJson(SnapshotPrefix(project, name) + snap.Name, snap, ApiJsonContext.Wire.InstanceSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();

        // Only now is the old content dropped: the replaced volume, stale snapshots and those sent again.
        await driver.DeleteVolumeAsync(aside, CancellationToken.None).ConfigureAwait(false);
        foreach (var snap in stale.Where(s => !added.Any(a => a.Name == s.Name)))
        {
            await driver.DeleteVolumeAsync(_paths.SnapshotVolume(name, snap.Name, pool), CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var snap in added)
        {
            await driver.DeleteVolumeAsync(_paths.SnapshotVolume(name, snap.Name, pool) + ".stale", CancellationToken.None).ConfigureAwait(false);
        }

        _events.PublishLifecycle("instance-updated", Url(name), requestor: requestor, project: project);
        return Get(project, name);
    }
}
