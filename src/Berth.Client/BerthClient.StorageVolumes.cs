using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    public async Task<List<StorageVolume>> GetStorageVolumesAsync(string pool, CancellationToken cancellationToken = default) =>
        (await GetAsync($"/1.0/storage-pools/{Escape(pool)}/volumes?recursion=1", ApiJsonContext.Wire.ListStorageVolume, cancellationToken).ConfigureAwait(false)).Value;

    public Task<(StorageVolume Value, string? ETag)> GetStorageVolumeAsync(string pool, string name, CancellationToken cancellationToken = default) =>
        GetAsync(VolumePath(pool, name), ApiJsonContext.Wire.StorageVolume, cancellationToken);

    /// <summary>Creates a custom volume, or copies one when <see cref="StorageVolumesPost.Source"/> is set (then waits for the operation).</summary>
    public async Task CreateStorageVolumeAsync(string pool, StorageVolumesPost request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/storage-pools/{Escape(pool)}/volumes/custom", request, ApiJsonContext.Wire.StorageVolumesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Type == ResponseType.Async)
        {
            await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task UpdateStorageVolumeAsync(string pool, string name, StorageVolumePut volume, string? etag = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Put, VolumePath(pool, name), volume, ApiJsonContext.Wire.StorageVolumePut, etag, cancellationToken);

    /// <summary>Renames a volume, or moves it to <paramref name="targetPool"/>.</summary>
    public async Task MoveStorageVolumeAsync(string pool, string name, string newName, string? targetPool = null, CancellationToken cancellationToken = default)
    {
        var request = new StorageVolumePost { Name = newName, Pool = targetPool ?? "" };
        var (response, _) = await SendJsonAsync(HttpMethod.Post, VolumePath(pool, name), request, ApiJsonContext.Wire.StorageVolumePost, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Type == ResponseType.Async)
        {
            await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task DeleteStorageVolumeAsync(string pool, string name, CancellationToken cancellationToken = default) =>
        RawAsync(HttpMethod.Delete, VolumePath(pool, name), null, null, cancellationToken);

    public async Task CreateStorageVolumeSnapshotAsync(string pool, string name, string snapshot, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, VolumePath(pool, name) + "/snapshots", new StorageVolumeSnapshotsPost { Name = snapshot }, ApiJsonContext.Wire.StorageVolumeSnapshotsPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public Task RestoreStorageVolumeAsync(string pool, string name, string snapshot, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Put, VolumePath(pool, name), new StorageVolumePut { Restore = snapshot }, ApiJsonContext.Wire.StorageVolumePut, cancellationToken: cancellationToken);

    /// <summary>The instance as stored (own config and devices) with its ETag, for read-modify-write.</summary>
    public Task<(Instance Value, string? ETag)> GetInstanceAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync("/1.0/instances/" + Escape(name), ApiJsonContext.Wire.Instance, cancellationToken);

    /// <summary>PUT of the instance's writable fields, guarded by <paramref name="etag"/>; waits for the operation.</summary>
    public async Task UpdateInstanceAsync(string name, InstancePut instance, string? etag = null, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Put, "/1.0/instances/" + Escape(name), instance, ApiJsonContext.Wire.InstancePut, etag, cancellationToken).ConfigureAwait(false);
        if (response.Type == ResponseType.Async)
        {
            await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string VolumePath(string pool, string name) => $"/1.0/storage-pools/{Escape(pool)}/volumes/custom/{Escape(name)}";
}
