using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Util;

namespace Berth.Server.Profiles;

/// <summary>Profiles: validated config and devices, stored per project, with LXD's rules for <c>default</c>.</summary>
public sealed class ProfileService
{
    public const string DefaultName = "default";
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private readonly IProfileUsers _users;

    public ProfileService(IStateStore store, EventHub events, IProfileUsers users)
    {
        _store = store;
        _events = events;
        _users = users;
    }

    public static string Url(string name) => "/1.0/profiles/" + Uri.EscapeDataString(name);

    public static string ETagOf(ProfilePut profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return ETag.Compute(w =>
        {
            JsonSerializer.Serialize(w, profile.Config, ApiJsonContext.Wire.DictionaryStringString);
            w.WriteStringValue(profile.Description);
            JsonSerializer.Serialize(w, profile.Devices, ApiJsonContext.Wire.DictionaryStringDictionaryStringString);
        });
    }

    public IReadOnlyList<string> Names(string project) =>
        [.. _store.Snapshot().List(Prefix(project)).Select(kv => kv.Key[Prefix(project).Length..])];

    public IReadOnlyList<Profile> List(string project)
    {
        var prefix = Prefix(project);
        return [.. _store.Snapshot().ListJson(prefix, ApiJsonContext.Wire.ProfilePut).Select(p => Expand(project, p.Key[prefix.Length..], p.Value))];
    }

    public Profile Get(string project, string name)
    {
        var stored = _store.Snapshot().GetJson(Key(project, name), ApiJsonContext.Wire.ProfilePut)
            ?? throw new ApiException(404, "Profile not found");
        return Expand(project, name, stored);
    }

    /// <summary>Creates <c>default</c> on first start (empty, like LXD before <c>init</c>).</summary>
    public Task EnsureDefaultAsync(CancellationToken cancellationToken) =>
        _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key("default", DefaultName)) is null)
            {
                tx.PutJson(Key("default", DefaultName), new ProfilePut { Description = "Default LXD profile" }, ApiJsonContext.Wire.ProfilePut);
            }

            return true;
        }, cancellationToken);

    public async Task CreateAsync(string project, ProfilesPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateName(request.Name);
        var profile = Normalise(request);
        Validate(profile, 400);
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, request.Name)) is not null)
            {
                throw new ApiException(409, $"Profile \"{request.Name}\" already exists");
            }

            tx.PutJson(Key(project, request.Name), profile, ApiJsonContext.Wire.ProfilePut);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("profile-created", Url(request.Name), requestor: requestor, project: project);
    }

    /// <summary>PUT: replaces config, description and devices.</summary>
    public Task ReplaceAsync(string project, string name, ProfilePut request, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        UpdateAsync(project, name, _ => Normalise(request), ifMatch, requestor, cancellationToken);

    /// <summary>PATCH: merges config keys and devices; description kept unless given.</summary>
    public Task PatchAsync(string project, string name, JsonElement patch, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        UpdateAsync(project, name, current =>
        {
            var sent = patch.Deserialize(ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut();
            var request = Normalise(sent);
            var merged = new ProfilePut
            {
                Config = new Dictionary<string, string>(current.Config, StringComparer.Ordinal),
                Devices = new Dictionary<string, Dictionary<string, string>>(current.Devices, StringComparer.Ordinal),
                Description = patch.TryGetProperty("description", out _) ? request.Description : current.Description,
            };
            foreach (var (key, value) in sent.Config ?? [])
            {
                if (value.Length == 0)
                {
                    merged.Config.Remove(key);
                }
                else
                {
                    merged.Config[key] = value;
                }
            }

            foreach (var (device, config) in request.Devices)
            {
                merged.Devices[device] = config;
            }

            return merged;
        }, ifMatch, requestor, cancellationToken);

    public async Task RenameAsync(string project, string name, string newName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        if (name == DefaultName)
        {
            throw new ApiException(403, "The \"default\" profile cannot be renamed");
        }

        ValidateName(newName);
        await _store.TransactionAsync(tx =>
        {
            var current = tx.Get(Key(project, name)) ?? throw new ApiException(404, "Profile not found");
            if (tx.Get(Key(project, newName)) is not null)
            {
                throw new ApiException(409, $"Name \"{newName}\" already in use");
            }

            tx.Delete(Key(project, name));
            tx.Put(Key(project, newName), current.Value);
            _users.Rename(tx, project, name, newName);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("profile-renamed", Url(newName), Context("old_name", name), requestor, project);
    }

    public async Task DeleteAsync(string project, string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        if (name == DefaultName)
        {
            throw new ApiException(403, "The \"default\" profile cannot be deleted");
        }

        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, name)) is null)
            {
                throw new ApiException(404, "Profile not found");
            }

            if (_users.UsersOf(project, name).Count > 0)
            {
                throw new ApiException(400, "Profile is currently in use");
            }

            tx.Delete(Key(project, name));
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("profile-deleted", Url(name), requestor: requestor, project: project);
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ApiException(400, "No name provided");
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ApiException(400, "Profile names may not contain slashes");
        }

        if (name is "." or ".." || name.Any(char.IsControl) || name.Any(char.IsWhiteSpace))
        {
            throw new ApiException(400, $"Invalid profile name \"{name}\"");
        }
    }

    private async Task UpdateAsync(
        string project,
        string name,
        Func<ProfilePut, ProfilePut> change,
        string? ifMatch,
        EventLifecycleRequestor? requestor,
        CancellationToken cancellationToken)
    {
        ProfilePut? previous = null;
        await _store.TransactionAsync(tx =>
        {
            var current = tx.GetJson(Key(project, name), ApiJsonContext.Wire.ProfilePut) ?? throw new ApiException(404, "Profile not found");
            ETag.Check(ifMatch, ETagOf(current));
            var next = change(current);
            Validate(next, 500);
            tx.PutJson(Key(project, name), next, ApiJsonContext.Wire.ProfilePut);
            previous = current;
            return true;
        }, cancellationToken).ConfigureAwait(false);
        await _users.ProfileUpdatedAsync(project, name, cancellationToken).ConfigureAwait(false);
        if (previous is not null)
        {
            await _users.ProfileDevicesChangedAsync(project, name, previous, cancellationToken).ConfigureAwait(false);
        }
        _events.PublishLifecycle("profile-updated", Url(name), requestor: requestor, project: project);
    }

    private Profile Expand(string project, string name, ProfilePut stored) => new()
    {
        Name = name,
        Config = stored.Config,
        Description = stored.Description,
        Devices = stored.Devices,
        UsedBy = [.. _users.UsersOf(project, name)],
    };

    private static ProfilePut Normalise(ProfilePut request) => new()
    {
        // An empty value means unset (lxc profile unset sends the key with ""); LXD does not store it.
        Config = request.Config is null ? [] : new Dictionary<string, string>(request.Config.Where(kv => kv.Value.Length > 0), StringComparer.Ordinal),
        Description = request.Description ?? "",
        Devices = DeviceSchema.WithoutEmptyValues(request.Devices),
    };

    // LXD 5.0.2 answers a bad profile update with 500.
    private static void Validate(ProfilePut profile, int status) => LxdValidation.Profile(profile.Config, profile.Devices, status);

    private static Dictionary<string, JsonElement> Context(string key, string value) =>
        new() { [key] = JsonSerializer.SerializeToElement(value, ApiJsonContext.Wire.String) };

    private static string Prefix(string project) => $"projects/{project}/profiles/";

    private static string Key(string project, string name) => Prefix(project) + name;
}
