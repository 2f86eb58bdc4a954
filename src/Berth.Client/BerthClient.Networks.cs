using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    public async Task<List<Network>> GetNetworksAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/networks?recursion=1", ApiJsonContext.Wire.ListNetwork, cancellationToken).ConfigureAwait(false)).Value;

    public Task<(Network Value, string? ETag)> GetNetworkAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync("/1.0/networks/" + Escape(name), ApiJsonContext.Wire.Network, cancellationToken);

    public async Task<NetworkState> GetNetworkStateAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/networks/" + Escape(name) + "/state", ApiJsonContext.Wire.NetworkState, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<List<NetworkLease>> GetNetworkLeasesAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/networks/" + Escape(name) + "/leases", ApiJsonContext.Wire.ListNetworkLease, cancellationToken).ConfigureAwait(false)).Value;

    public Task CreateNetworkAsync(NetworksPost network, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/networks", network, ApiJsonContext.Wire.NetworksPost, null, cancellationToken);

    /// <summary>Replaces config and description, guarded by <paramref name="etag"/> when given.</summary>
    public Task UpdateNetworkAsync(string name, NetworkPut network, string? etag = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Put, "/1.0/networks/" + Escape(name), network, ApiJsonContext.Wire.NetworkPut, etag, cancellationToken);

    public Task RenameNetworkAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/networks/" + Escape(name), new NetworkPost { Name = newName }, ApiJsonContext.Wire.NetworkPost, null, cancellationToken);

    public Task DeleteNetworkAsync(string name, CancellationToken cancellationToken = default) =>
        RawAsync(HttpMethod.Delete, "/1.0/networks/" + Escape(name), null, null, cancellationToken);
}
