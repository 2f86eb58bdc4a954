using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Storage;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>Instance volumes on storage pools: the root disk's pool, CoW from the image volume, sizes, usage.</summary>
public sealed partial class InstanceService
{
    private string PoolOf(string project, string name) => _pools.PoolOf(project, name);

    /// <summary>The volume holding an instance's (or one of its snapshots') rootfs, templates and metadata.yaml.</summary>
    public string VolumePath(string project, string name, string? snapshot)
    {
        var pool = PoolOf(project, name);
        return snapshot is null ? _paths.Volume(name, pool) : _paths.SnapshotVolume(name, snapshot, pool);
    }

    private string RootfsOf(Instance instance) => _paths.Rootfs(instance.Name, PoolOf(instance.Project, instance.Name));

    /// <summary>
    /// Makes the instance's volume on the pool its root disk names: a writable snapshot of the image volume on
    /// btrfs, a copy on dir; the root disk's <c>size</c> becomes a quota. Returns the pool.
    /// </summary>
    private async Task<string> CreateVolumeAsync(string project, Instance record, Image? image, Reverter revert, CancellationToken cancellationToken)
    {
        var snapshot = _store.Snapshot();
        var profiles = record.Profiles.Select(p => snapshot.GetJson($"projects/{project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        var (_, devices) = ConfigExpander.Expand(profiles, record.Config, record.Devices);
        var pool = await _pools.PoolForNewInstanceAsync(devices, cancellationToken).ConfigureAwait(false);
        var driver = _pools.DriverOf(pool);
        var volume = _paths.Volume(record.Name, pool);
        if (Directory.Exists(volume))
        {
            throw new ApiException(409, $"Storage volume for \"{record.Name}\" already exists");
        }

        var size = RootSize(devices);
        if (size is not null && !driver.Info.Quotas)
        {
            await driver.SetQuotaAsync(volume, size, cancellationToken).ConfigureAwait(false);
        }

        if (image is not null)
        {
            var unpacked = await _unpacker.EnsureAsync(image.Fingerprint, pool, driver, cancellationToken).ConfigureAwait(false);
            if (driver.Info.CowSnapshots || !_unpacker.TryTakeCopy(image.Fingerprint, pool, volume))
            {
                await driver.SnapshotVolumeAsync(unpacked, volume, readOnly: false, cancellationToken).ConfigureAwait(false);
            }

            if (!driver.Info.CowSnapshots)
            {
                _unpacker.PrepareCopy(image.Fingerprint, pool, driver);
            }

            revert.Add(() => driver.DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult());
            TemplateApplier.Apply(unpacked, _paths.Rootfs(record.Name, pool), "create", record.Name);
        }
        else
        {
            await driver.CreateVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult());
            Directory.CreateDirectory(_paths.Rootfs(record.Name, pool));
        }

        if (size is not null)
        {
            await driver.SetQuotaAsync(volume, size, cancellationToken).ConfigureAwait(false);
        }

        File.SetUnixFileMode(volume, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return pool;
    }

    /// <summary>Removes the instance's snapshots' volumes and its own volume from its pool.</summary>
    private async Task DeleteVolumesAsync(string pool, string name, CancellationToken cancellationToken)
    {
        var driver = _pools.Exists(pool) ? _pools.DriverOf(pool) : null;
        var snapshots = _paths.SnapshotsDir(name, pool);
        if (Directory.Exists(snapshots))
        {
            foreach (var snap in Directory.GetDirectories(snapshots))
            {
                await DeleteVolumeAsync(driver, snap, cancellationToken).ConfigureAwait(false);
            }

            Directory.Delete(snapshots, recursive: true);
        }

        var volume = _paths.Volume(name, pool);
        if (driver is { Info.CowSnapshots: false } && Directory.Exists(volume) && VolumeTrash.TryDelete(volume, _paths.PoolPath(pool)))
        {
            return;
        }

        await DeleteVolumeAsync(driver, volume, cancellationToken).ConfigureAwait(false);
    }

    private static async Task DeleteVolumeAsync(IStorageDriver? driver, string path, CancellationToken cancellationToken)
    {
        if (driver is not null)
        {
            await driver.DeleteVolumeAsync(path, cancellationToken).ConfigureAwait(false);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>The root disk's usage for <c>GET /state</c>, where the pool's driver can tell it.</summary>
    private Dictionary<string, InstanceStateDisk> DiskState(Instance instance)
    {
        var pool = PoolOf(instance.Project, instance.Name);
        if (!_pools.Exists(pool))
        {
            return [];
        }

        var usage = _pools.DriverOf(pool).UsageAsync(_paths.Volume(instance.Name, pool), CancellationToken.None).GetAwaiter().GetResult();
        var root = instance.ExpandedDevices.FirstOrDefault(d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("path") == "/").Key ?? "root";
        return usage is { } used ? new() { [root] = new InstanceStateDisk { Usage = used } } : [];
    }

    private static long? RootSize(Dictionary<string, Dictionary<string, string>> devices)
    {
        var root = devices.Values.FirstOrDefault(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("path") == "/");
        if (root?.GetValueOrDefault("size") is not { Length: > 0 } size)
        {
            return null;
        }

        return ValueChecks.TryParseByteSize(size, out var bytes) ? bytes : throw new ApiException(400, $"Invalid root disk size \"{size}\"");
    }

    /// <summary>
    /// The expanded devices with each custom-volume disk (<c>pool=</c> + <c>source=</c>) turned into the host-path
    /// disk it amounts to: the volume's directory, shifted (an idmapped mount) unless <c>security.unmapped</c>, so files
    /// keep host-root ownership on the pool yet belong to the container's root inside. The disk renderer and hot-plug then treat
    /// volumes like any other host path.
    /// </summary>
    private Dictionary<string, Dictionary<string, string>> MountableDevices(Instance instance) =>
        instance.ExpandedDevices.ToDictionary(d => d.Key, d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("pool") is { Length: > 0 } && d.Value.GetValueOrDefault("path") is { Length: > 1 }
            ? new Dictionary<string, string>(d.Value.Where(kv => kv.Key != "pool"), StringComparer.Ordinal) { ["source"] = _volumes.DiskSource(instance.Project, d.Value), ["shift"] = _volumes.IsUnmapped(instance.Project, d.Value) ? "false" : "true" }
            : d.Value, StringComparer.Ordinal);
}
