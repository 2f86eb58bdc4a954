using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    public async Task<List<StoragePool>> GetStoragePoolsAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/storage-pools?recursion=1", ApiJsonContext.Wire.ListStoragePool, cancellationToken).ConfigureAwait(false)).Value;

    public Task<(StoragePool Value, string? ETag)> GetStoragePoolAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync("/1.0/storage-pools/" + Escape(name), ApiJsonContext.Wire.StoragePool, cancellationToken);

    public async Task<StoragePoolResources> GetStoragePoolResourcesAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/storage-pools/" + Escape(name) + "/resources", ApiJsonContext.Wire.StoragePoolResources, cancellationToken).ConfigureAwait(false)).Value;

    public Task CreateStoragePoolAsync(StoragePoolsPost pool, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/storage-pools", pool, ApiJsonContext.Wire.StoragePoolsPost, null, cancellationToken);

    /// <summary>Replaces config and description, guarded by <paramref name="etag"/> when given.</summary>
    public Task UpdateStoragePoolAsync(string name, StoragePoolPut pool, string? etag = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Put, "/1.0/storage-pools/" + Escape(name), pool, ApiJsonContext.Wire.StoragePoolPut, etag, cancellationToken);

    public Task DeleteStoragePoolAsync(string name, CancellationToken cancellationToken = default) =>
        RawAsync(HttpMethod.Delete, "/1.0/storage-pools/" + Escape(name), null, null, cancellationToken);
}
