using System.Globalization;
using Berth.Api;
using Berth.Native;
using Berth.Server.Migration;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// Instance migration between two berthd with btrfs pools (<see cref="BtrfsTransfer"/>): the source sends read-only
/// snapshots of each snapshot, oldest first, each against the one before, then of the volume; the target receives
/// them in a scratch directory of its pool and snapshots each into place (read-only snapshots, a writable volume).
/// </summary>
public sealed partial class InstanceService
{
    private const string MigrationScratch = ".berth-migration";

    private bool IsBtrfsPool(string pool) => _pools.DriverOf(pool).Name == "btrfs";

    private async Task SendBtrfsVolumesAsync(string name, string pool, string volumePath, List<InstanceSnapshot> snapshots, bool running, MigrationSocket fs, Action<string>? progress, CancellationToken cancellationToken)
    {
        var scratch = ScratchDir(pool);
        var made = new List<string>();
        try
        {
            string? parent = null;
            foreach (var snap in snapshots)
            {
                var sent = Path.Combine(scratch, made.Count.ToString(CultureInfo.InvariantCulture));
                BtrfsSubvolume.Snapshot(_paths.SnapshotVolume(name, snap.Name, pool), sent, readOnly: true);
                made.Add(sent);
                await BtrfsTransfer.SendAsync(sent, parent, fs, Progress(progress, snap.Name), cancellationToken).ConfigureAwait(false);
                parent = sent;
            }

            // btrfs send takes read-only subvolumes only; a running instance is frozen for the instant of the snapshot.
            var volume = Path.Combine(scratch, "volume");
            var frozen = false;
            try
            {
                if (running)
                {
                    _runtime.Freeze(name);
                    frozen = true;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ApiException)
            {
            }

            try
            {
                BtrfsSubvolume.Snapshot(volumePath, volume, readOnly: true);
            }
            finally
            {
                if (frozen)
                {
                    _runtime.Unfreeze(name);
                }
            }

            made.Add(volume);
            await BtrfsTransfer.SendAsync(volume, parent, fs, Progress(progress, name), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            DeleteScratch(scratch, made);
        }
    }

    private async Task ReceiveBtrfsVolumesAsync(string pool, string volume, string name, List<string> snapshots, MigrationSocket fs, Reverter revert, Action<string>? progress, CancellationToken cancellationToken)
    {
        var driver = _pools.DriverOf(pool);
        var scratch = ScratchDir(pool);
        var received = new List<string>();
        try
        {
            if (snapshots.Count > 0)
            {
                Directory.CreateDirectory(_paths.SnapshotsDir(name, pool));
                revert.Add(() => Directories.DeleteIfEmpty(_paths.SnapshotsDir(name, pool)));
            }

            foreach (var snap in snapshots)
            {
                ValidateSnapshotName(snap);
                var into = Directory.CreateDirectory(Path.Combine(scratch, received.Count.ToString(CultureInfo.InvariantCulture))).FullName;
                received.Add(await BtrfsTransfer.ReceiveAsync(into, fs, Progress(progress, snap), cancellationToken).ConfigureAwait(false));
                var target = _paths.SnapshotVolume(name, snap, pool);
                await driver.SnapshotVolumeAsync(received[^1], target, readOnly: true, cancellationToken).ConfigureAwait(false);
                revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
            }

            var last = Directory.CreateDirectory(Path.Combine(scratch, "volume")).FullName;
            received.Add(await BtrfsTransfer.ReceiveAsync(last, fs, Progress(progress, name), cancellationToken).ConfigureAwait(false));
            Directory.CreateDirectory(Path.GetDirectoryName(volume)!);
            await driver.SnapshotVolumeAsync(received[^1], volume, readOnly: false, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult());
        }
        finally
        {
            // The received subvolumes stay until the last stream arrived: each later one names its parent by them.
            DeleteScratch(scratch, received);
        }
    }

    private string ScratchDir(string pool) =>
        Directory.CreateDirectory(Path.Combine(_paths.PoolPath(pool), MigrationScratch, Guid.NewGuid().ToString("N"))).FullName;

    private static void DeleteScratch(string scratch, List<string> subvolumes)
    {
        foreach (var subvolume in subvolumes)
        {
            try
            {
                BtrfsSubvolume.Delete(subvolume);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
            }
        }

        try
        {
            // A receive that failed half-way leaves its (not yet read-only) subvolume: removed as a tree if the ioctl refuses.
            foreach (var dir in Directory.GetDirectories(scratch))
            {
                foreach (var left in Directory.GetDirectories(dir))
                {
                    try
                    {
                        BtrfsSubvolume.Delete(left);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                    {
                    }
                }

                Directory.Delete(dir, recursive: true);
            }

            Directory.Delete(scratch, recursive: true);
            Directories.DeleteIfEmpty(Path.GetDirectoryName(scratch)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
