using Berth.Api;
using Berth.Api.Json;
using Berth.Client;

namespace Berth.Daemon.Init;

/// <summary>The preseed's <c>networks</c>: new networks are created, existing ones get the given keys, as <c>lxd init</c>.</summary>
internal static class PreseedNetworks
{
    public static async Task ApplyAsync(BerthClient client, NetworksPost network, Stack<Func<Task>> undo, CancellationToken cancellationToken)
    {
        var name = network.Name ?? "";
        if (name.Length == 0)
        {
            throw new ApiException(400, "A network in the preseed has no name");
        }

        var config = (network.Config ?? []).ToDictionary(kv => kv.Key, kv => kv.Value ?? "", StringComparer.Ordinal);
        var description = network.Description ?? "";
        var url = "/1.0/networks/" + Uri.EscapeDataString(name);
        Network? current = null;
        try
        {
            (current, _) = await client.GetAsync(url, ApiJsonContext.Wire.Network, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == 404)
        {
        }

        if (current is null || !current.Managed)
        {
            var create = new NetworksPost { Name = name, Type = network.Type ?? "", Description = description, Config = config };
            await client.SendJsonAsync(HttpMethod.Post, "/1.0/networks", create, ApiJsonContext.Wire.NetworksPost, cancellationToken: cancellationToken).ConfigureAwait(false);
            undo.Push(() => client.RawAsync(HttpMethod.Delete, url, cancellationToken: CancellationToken.None));
            return;
        }

        var before = new NetworkPut { Config = current.Config, Description = current.Description };
        var updated = new NetworkPut { Config = new Dictionary<string, string>(current.Config, StringComparer.Ordinal), Description = description.Length > 0 ? description : current.Description };
        foreach (var (key, value) in config)
        {
            updated.Config[key] = value;
        }

        await client.SendJsonAsync(HttpMethod.Put, url, updated, ApiJsonContext.Wire.NetworkPut, cancellationToken: cancellationToken).ConfigureAwait(false);
        undo.Push(() => client.SendJsonAsync(HttpMethod.Put, url, before, ApiJsonContext.Wire.NetworkPut, cancellationToken: CancellationToken.None));
    }
}
