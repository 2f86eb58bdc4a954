using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary><c>GET /1.0</c> with its ETag.</summary>
    public Task<(Server Value, string? ETag)> GetServerAsync(CancellationToken cancellationToken = default) =>
        GetAsync("/1.0", ApiJsonContext.Wire.Server, cancellationToken);

    /// <summary><c>GET /1.0</c> as the raw metadata, so fields this client does not know are kept (for display).</summary>
    public async Task<(JsonElement Value, string? ETag)> GetServerRawAsync(CancellationToken cancellationToken = default)
    {
        var (response, etag) = await RawAsync(HttpMethod.Get, "/1.0", null, null, cancellationToken).ConfigureAwait(false);
        return (response.Metadata, etag);
    }

    /// <summary><c>PUT /1.0</c>, guarded by <paramref name="etag"/> when given.</summary>
    public Task UpdateServerAsync(ServerPut server, string? etag = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Put, "/1.0", server, ApiJsonContext.Wire.ServerPut, etag, cancellationToken);

    /// <summary><c>PATCH /1.0</c>: only the given keys change.</summary>
    public Task PatchServerAsync(ServerPut server, string? etag = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "/1.0", server, ApiJsonContext.Wire.ServerPut, etag, cancellationToken);
}
