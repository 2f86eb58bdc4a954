using Berth.Api;
using Berth.Api.Json;
using Berth.Client;

namespace Berth.Daemon.Init;

/// <summary>The preseed's <c>storage_pools</c>: new pools are created, existing ones get the given keys, as <c>lxd init</c>.</summary>
internal static class PreseedStoragePools
{
    public static async Task ApplyAsync(BerthClient client, StoragePoolsPost pool, Stack<Func<Task>> undo, CancellationToken cancellationToken)
    {
        var name = pool.Name ?? "";
        if (name.Length == 0)
        {
            throw new ApiException(400, "A storage pool in the preseed has no name");
        }

        var config = (pool.Config ?? []).ToDictionary(kv => kv.Key, kv => kv.Value ?? "", StringComparer.Ordinal);
        var description = pool.Description ?? "";
        var url = "/1.0/storage-pools/" + Uri.EscapeDataString(name);
        StoragePool? current = null;
        try
        {
            (current, _) = await client.GetAsync(url, ApiJsonContext.Wire.StoragePool, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == 404)
        {
        }

        if (current is null)
        {
            var create = new StoragePoolsPost { Name = name, Driver = pool.Driver ?? "", Description = description, Config = config };
            await client.SendJsonAsync(HttpMethod.Post, "/1.0/storage-pools", create, ApiJsonContext.Wire.StoragePoolsPost, cancellationToken: cancellationToken).ConfigureAwait(false);
            undo.Push(() => client.RawAsync(HttpMethod.Delete, url, cancellationToken: CancellationToken.None));
            return;
        }

        if (pool.Driver is { Length: > 0 } driver && driver != current.Driver)
        {
            throw new ApiException(400, $"Storage pool \"{name}\" exists with driver \"{current.Driver}\", not \"{driver}\"");
        }

        var before = new StoragePoolPut { Config = current.Config, Description = current.Description };
        var updated = new StoragePoolPut { Config = new Dictionary<string, string>(current.Config, StringComparer.Ordinal), Description = description.Length > 0 ? description : current.Description };
        foreach (var (key, value) in config)
        {
            updated.Config[key] = value;
        }

        await client.SendJsonAsync(HttpMethod.Put, url, updated, ApiJsonContext.Wire.StoragePoolPut, cancellationToken: cancellationToken).ConfigureAwait(false);
        undo.Push(() => client.SendJsonAsync(HttpMethod.Put, url, before, ApiJsonContext.Wire.StoragePoolPut, cancellationToken: CancellationToken.None));
    }
}
