using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    public async Task<List<InstanceSnapshot>> GetInstanceSnapshotsAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync($"/1.0/instances/{Escape(name)}/snapshots?recursion=1", ApiJsonContext.Wire.ListInstanceSnapshot, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>One snapshot with its ETag (for <c>config show|edit instance/snapshot</c>).</summary>
    public Task<(InstanceSnapshot Value, string? ETag)> GetInstanceSnapshotAsync(string name, string snapshot, CancellationToken cancellationToken = default) =>
        GetAsync($"/1.0/instances/{Escape(name)}/snapshots/{Escape(snapshot)}", ApiJsonContext.Wire.InstanceSnapshot, cancellationToken);

    /// <summary>PUT of a snapshot's writable field (its expiry); waits for the operation.</summary>
    public async Task UpdateInstanceSnapshotAsync(string name, string snapshot, InstanceSnapshotPut put, string? etag = null, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Put, $"/1.0/instances/{Escape(name)}/snapshots/{Escape(snapshot)}", put, ApiJsonContext.Wire.InstanceSnapshotPut, etag, cancellationToken).ConfigureAwait(false);
        if (response.Type == ResponseType.Async)
        {
            await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Renames a snapshot (POST with the new name) and waits for the operation.</summary>
    public async Task RenameInstanceSnapshotAsync(string name, string snapshot, string newName, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(name)}/snapshots/{Escape(snapshot)}", new InstanceSnapshotPost { Name = newName }, ApiJsonContext.Wire.InstanceSnapshotPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a snapshot (an empty name lets the server pick snap%d) and waits for the operation.</summary>
    public async Task CreateInstanceSnapshotAsync(string name, InstanceSnapshotsPost request, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(name)}/snapshots", request, ApiJsonContext.Wire.InstanceSnapshotsPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteInstanceSnapshotAsync(string name, string snapshot, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(HttpMethod.Delete, $"/1.0/instances/{Escape(name)}/snapshots/{Escape(snapshot)}", cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>PUT /1.0/instances/{name}</c> with <c>restore</c>, as lxc restore sends it.</summary>
    public async Task RestoreInstanceSnapshotAsync(string name, string snapshot, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Put, $"/1.0/instances/{Escape(name)}", new InstancePut { Restore = snapshot }, ApiJsonContext.Wire.InstancePut, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }
}
