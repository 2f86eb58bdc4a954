using Berth.Api;
using Berth.Api.Json;
using Berth.Client;

namespace Berth.Daemon.Init;

/// <summary>
/// Applies a preseed through the ordinary REST API, as <c>lxd init</c> does, undoing what it changed when a
/// later step fails. Sections for features this berthd lacks are refused before anything changes.
/// </summary>
internal sealed class PreseedApplier(BerthClient client)
{
    public async Task ApplyAsync(Preseed preseed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(preseed);
        Refuse(preseed.StorageVolumes, "Storage volumes");
        if (preseed.Cluster?.Enabled == "true")
        {
            throw new ApiException(400, "Clustering is not supported by this berthd yet");
        }

        foreach (var project in preseed.Projects ?? [])
        {
            if (project.Name != "default")
            {
                throw new ApiException(400, "Only the default project exists on this berthd");
            }
        }

        var undo = new Stack<Func<Task>>();
        try
        {
            if (preseed.Config is { Count: > 0 })
            {
                var (server, _) = await client.GetAsync("/1.0", ApiJsonContext.Wire.Server, cancellationToken).ConfigureAwait(false);
                var before = new Dictionary<string, string>(server.Config, StringComparer.Ordinal);
                var after = new Dictionary<string, string>(before, StringComparer.Ordinal);
                foreach (var (key, value) in preseed.Config)
                {
                    after[key] = value ?? "";
                }

                await client.SendJsonAsync(HttpMethod.Put, "/1.0", new ServerPut { Config = after }, ApiJsonContext.Wire.ServerPut, cancellationToken: cancellationToken).ConfigureAwait(false);
                undo.Push(() => client.SendJsonAsync(HttpMethod.Put, "/1.0", new ServerPut { Config = before }, ApiJsonContext.Wire.ServerPut, cancellationToken: CancellationToken.None));
            }

            foreach (var pool in preseed.StoragePools ?? [])
            {
                await PreseedStoragePools.ApplyAsync(client, pool, undo, cancellationToken).ConfigureAwait(false);
            }

            foreach (var network in preseed.Networks ?? [])
            {
                await PreseedNetworks.ApplyAsync(client, network, undo, cancellationToken).ConfigureAwait(false);
            }

            foreach (var profile in preseed.Profiles ?? [])
            {
                await ApplyProfileAsync(profile, undo, cancellationToken).ConfigureAwait(false);
            }

            undo.Clear();
        }
        finally
        {
            while (undo.TryPop(out var step))
            {
                try
                {
                    await step().ConfigureAwait(false);
                }
                catch (ApiException)
                {
                }
            }
        }
    }

    private async Task ApplyProfileAsync(PreseedProfile profile, Stack<Func<Task>> undo, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(profile.Name))
        {
            throw new ApiException(400, "A profile in the preseed has no name");
        }

        var url = "/1.0/profiles/" + Uri.EscapeDataString(profile.Name);
        Profile? current = null;
        try
        {
            (current, _) = await client.GetAsync(url, ApiJsonContext.Wire.Profile, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == 404)
        {
        }

        if (current is null)
        {
            var create = new ProfilesPost
            {
                Name = profile.Name,
                Description = profile.Description ?? "",
                Config = profile.Config ?? [],
                Devices = profile.Devices ?? [],
            };
            await client.SendJsonAsync(HttpMethod.Post, "/1.0/profiles", create, ApiJsonContext.Wire.ProfilesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
            undo.Push(() => client.RawAsync(HttpMethod.Delete, url, cancellationToken: CancellationToken.None));
            return;
        }

        // Existing profiles are updated key by key, as lxd init does.
        var updated = new ProfilePut
        {
            Description = profile.Description ?? current.Description,
            Config = new Dictionary<string, string>(current.Config, StringComparer.Ordinal),
            Devices = new Dictionary<string, Dictionary<string, string>>(current.Devices, StringComparer.Ordinal),
        };
        foreach (var (key, value) in profile.Config ?? [])
        {
            updated.Config[key] = value ?? "";
        }

        foreach (var (name, device) in profile.Devices ?? [])
        {
            updated.Devices[name] = device;
        }

        var before = new ProfilePut { Description = current.Description, Config = current.Config, Devices = current.Devices };
        await client.SendJsonAsync(HttpMethod.Put, url, updated, ApiJsonContext.Wire.ProfilePut, cancellationToken: cancellationToken).ConfigureAwait(false);
        undo.Push(() => client.SendJsonAsync(HttpMethod.Put, url, before, ApiJsonContext.Wire.ProfilePut, cancellationToken: CancellationToken.None));
    }

    private static void Refuse<T>(List<T>? section, string what)
    {
        if (section is { Count: > 0 })
        {
            throw new ApiException(400, $"{what} are not supported by this berthd yet");
        }
    }
}
