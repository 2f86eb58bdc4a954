using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Migration;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// <c>lxc copy --refresh a:c b:c2</c> onto an existing instance, as LXD 5.0's migration sink does it: the answer to
/// the offer names the snapshots the target lacks (or has with another creation date) and says <c>refresh</c>, so
/// the source sends only those, then the volume; rsync sends only what changed. Target snapshots the source no longer
/// has are dropped once everything arrived. The instance's record is kept (lxc updates its config afterwards).
/// </summary>
public sealed partial class InstanceService
{
    private bool IsMigrationRefresh(string project, InstancesPost request) =>
        request.Source.Refresh && _store.Snapshot().Get(Key(project, request.Name)) is not null;

    private sealed record RefreshPlan(List<MigrationSnapshot> Missing, List<InstanceSnapshot> Stale);

    private RefreshPlan PlanMigrationRefresh(string project, string name, MigrationHeader offer, bool instanceOnly)
    {
        if (instanceOnly)
        {
            return new RefreshPlan([], []);
        }

        var targetSnaps = _store.Snapshot().ListJson(SnapshotPrefix(project, name), ApiJsonContext.Wire.InstanceSnapshot).Select(s => s.Value).ToList();
        static bool Same(MigrationSnapshot s, InstanceSnapshot t) =>
            s.Name == t.Name && (s.CreationDate ?? 0) == t.CreatedAt.ToUnixTimeSeconds();

        var missing = offer.Snapshots.Where(s => !targetSnaps.Any(t => Same(s, t))).ToList();
        var stale = targetSnaps.Where(t => !offer.Snapshots.Any(s => Same(s, t))).ToList();
        return new RefreshPlan(missing, stale);
    }

    private async Task ReceiveRefreshVolumesAsync(string pool, string volume, string name, List<string> snapshots, bool finalSync, MigrationSocket fs, List<string> features, Reverter revert, Action<string>? progress, CancellationToken cancellationToken)
    {
        var driver = _pools.DriverOf(pool);
        if (snapshots.Count > 0)
        {
            Directory.CreateDirectory(_paths.SnapshotsDir(name, pool));
        }

        foreach (var snap in snapshots)
        {
            ValidateSnapshotName(snap);
            var target = _paths.SnapshotVolume(name, snap, pool);
            if (Directory.Exists(target))
            {
                // Same name, other creation date: the old one waits aside until the refresh has succeeded.
                var moved = target + ".stale";
                await driver.DeleteVolumeAsync(moved, cancellationToken).ConfigureAwait(false);
                Directory.Move(target, moved);
                revert.Add(() => Directory.Move(moved, target));
            }

            await RsyncTransfer.ReceiveAsync(volume + "/", fs, features, overExisting: true, Progress(progress, snap), cancellationToken).ConfigureAwait(false);
            await driver.SnapshotVolumeAsync(volume, target, readOnly: true, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
        }

        await RsyncTransfer.ReceiveAsync(volume + "/", fs, features, overExisting: true, Progress(progress, name), cancellationToken).ConfigureAwait(false);
        if (finalSync)
        {
            await RsyncTransfer.ReceiveAsync(volume + "/", fs, features, overExisting: true, Progress(progress, name), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Instance> RecordRefreshedAsync(string project, string name, string pool, RefreshPlan plan, MigrationHeader offer, CancellationToken cancellationToken)
    {
        var volume = _paths.Volume(name, pool);
        if (File.Exists(Path.Combine(volume, "metadata.yaml")))
        {
            TemplateApplier.Apply(volume, _paths.Rootfs(name, pool), "copy", name);
        }

        var parent = Stored(_store.Snapshot(), project, name);
        await _store.TransactionAsync(tx =>
        {
            Stored(tx, project, name);
            foreach (var snap in plan.Stale)
            {
                tx.Delete(SnapshotPrefix(project, name) + snap.Name);
            }

            foreach (var snap in plan.Missing)
            {
                tx.PutJson(SnapshotPrefix(project, name) + snap.Name, SnapshotRecord(snap.Name, snap, parent), ApiJsonContext.Wire.InstanceSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);

        // Only now is the old content dropped: stale snapshots and those sent again.
        var driver = _pools.DriverOf(pool);
        foreach (var snap in plan.Stale.Where(s => !plan.Missing.Any(m => m.Name == s.Name)))
        {
            await driver.DeleteVolumeAsync(_paths.SnapshotVolume(name, snap.Name, pool), CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var snap in plan.Missing)
        {
            await driver.DeleteVolumeAsync(_paths.SnapshotVolume(name, snap.Name, pool) + ".stale", CancellationToken.None).ConfigureAwait(false);
        }

        return Get(project, name);
    }
}
