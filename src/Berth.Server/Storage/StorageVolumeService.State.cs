using Berth.Api;

namespace Berth.Server.Storage;

public sealed partial class StorageVolumeService
{
    /// <summary>A volume's usage as its pool's driver reports it (none where the driver cannot tell cheaply).</summary>
    public async Task<StorageVolumeState> StateAsync(string pool, string project, string type, string name, CancellationToken cancellationToken)
    {
        Get(pool, project, type, name);
        var path = type == "custom" ? VolumePath(pool, project, name) : _paths.Volume(name, pool);
        var used = type is "custom" or "container" ? await _pools.DriverOf(pool).UsageAsync(path, cancellationToken).ConfigureAwait(false) : null;
        return new StorageVolumeState { Usage = used is { } bytes ? new StorageVolumeStateUsage { Used = bytes } : null };
    }
}
