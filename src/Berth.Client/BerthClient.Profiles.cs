using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>The profile names (<c>GET /1.0/profiles</c>).</summary>
    public async Task<List<string>> GetProfileNamesAsync(CancellationToken cancellationToken = default)
    {
        var (urls, _) = await GetAsync("/1.0/profiles", ApiJsonContext.Wire.ListString, cancellationToken).ConfigureAwait(false);
        return urls.Select(LastPathSegment).ToList();
    }

    /// <summary>All profiles (<c>GET /1.0/profiles?recursion=1</c>).</summary>
    public async Task<List<Profile>> GetProfilesAsync(CancellationToken cancellationToken = default)
    {
        var (profiles, _) = await GetAsync("/1.0/profiles?recursion=1", ApiJsonContext.Wire.ListProfile, cancellationToken).ConfigureAwait(false);
        return profiles;
    }

    public Task<(Profile Value, string? ETag)> GetProfileAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync("/1.0/profiles/" + Escape(name), ApiJsonContext.Wire.Profile, cancellationToken);

    public Task CreateProfileAsync(ProfilesPost profile, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/profiles", profile, ApiJsonContext.Wire.ProfilesPost, null, cancellationToken);

    /// <summary>Replaces the writable fields, guarded by <paramref name="etag"/> when given.</summary>
    public Task UpdateProfileAsync(string name, ProfilePut profile, string? etag = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Put, "/1.0/profiles/" + Escape(name), profile, ApiJsonContext.Wire.ProfilePut, etag, cancellationToken);

    public Task RenameProfileAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/profiles/" + Escape(name), new ProfilePost { Name = newName }, ApiJsonContext.Wire.ProfilePost, null, cancellationToken);

    public Task DeleteProfileAsync(string name, CancellationToken cancellationToken = default) =>
        RawAsync(HttpMethod.Delete, "/1.0/profiles/" + Escape(name), null, null, cancellationToken);
}
