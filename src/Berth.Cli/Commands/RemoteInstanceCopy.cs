using Berth.Api;
using Berth.Api.Json;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>copy</c> and <c>move</c> between two servers, as lxc does them: the new instance gets the source's own
/// config, devices and profiles (overridden by the flags), the source's volatile keys are dropped unless the
/// instance moves (only <c>volatile.base_image</c> always stays, <c>volatile.last_state.power</c> always goes), and
/// a running source is migrated live unless <c>--stateless</c>. A move is that copy, then the source deleted.
/// </summary>
internal static class RemoteInstanceCopy
{
    public sealed record Overrides(Dictionary<string, string> Config, string[]? Profiles, bool Ephemeral, string? Storage);

    public static async Task CopyAsync(
        CliContext context, string remote, string source, string targetRemote, string target, Overrides overrides, string mode, bool stateless, bool instanceOnly, bool keepVolatile, CancellationToken cancellationToken)
    {
        if (source.Contains('/', StringComparison.Ordinal))
        {
            throw new ApiException(400, "Copying a snapshot to another server is not supported by berth yet");
        }

        var sourceClient = context.Client(remote);
        var (instance, _) = await sourceClient.GetAsync($"/1.0/instances/{Uri.EscapeDataString(source)}", ApiJsonContext.Wire.Instance, cancellationToken).ConfigureAwait(false);
        var config = new Dictionary<string, string>(instance.Config, StringComparer.Ordinal);
        if (!keepVolatile)
        {
            foreach (var key in config.Keys.Where(k => k.StartsWith("volatile.", StringComparison.Ordinal) && k != "volatile.base_image").ToList())
            {
                config.Remove(key);
            }
        }

        config.Remove("volatile.last_state.power");
        foreach (var (key, value) in overrides.Config)
        {
            config[key] = value;
        }

        var devices = instance.Devices.ToDictionary(d => d.Key, d => new Dictionary<string, string>(d.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(overrides.Storage))
        {
            // The local root disk gets the pool; one from a profile is overridden by a local one.
            var root = devices.FirstOrDefault(d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("path") == "/").Key ?? "root";
            devices[root] = devices.TryGetValue(root, out var existing) ? existing : new(StringComparer.Ordinal) { ["type"] = "disk", ["path"] = "/" };
            devices[root]["pool"] = overrides.Storage;
        }

        var request = new InstancesPost
        {
            Name = target.Length > 0 ? target : source,
            Architecture = instance.Architecture,
            Config = config,
            Devices = devices,
            Profiles = overrides.Profiles is { Length: > 0 } profiles ? [.. profiles] : instance.Profiles,
            Ephemeral = overrides.Ephemeral || instance.Ephemeral,
            Description = instance.Description,
            Type = instance.Type,
        };
        var live = !stateless && instance.StatusCode == StatusCode.Running;
        await context.Client(targetRemote).MigrateInstanceFromAsync(sourceClient, source, request, mode, live, instanceOnly, cancellationToken).ConfigureAwait(false);
    }

    public static async Task MoveAsync(
        CliContext context, string remote, string source, string targetRemote, string target, string? storage, string mode, bool stateless, bool instanceOnly, CancellationToken cancellationToken)
    {
        await CopyAsync(context, remote, source, targetRemote, target, new([], null, false, storage), mode, stateless, instanceOnly, keepVolatile: true, cancellationToken).ConfigureAwait(false);
        try
        {
            var client = context.Client(remote);
            var (instance, _) = await client.GetAsync($"/1.0/instances/{Uri.EscapeDataString(source)}", ApiJsonContext.Wire.Instance, cancellationToken).ConfigureAwait(false);
            if (instance.StatusCode == StatusCode.Running)
            {
                await client.ChangeInstanceStateAsync(source, "stop", force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await client.DeleteInstanceAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            throw new ApiException(e.Status, "Failed to delete original instance after copying it: " + e.Message);
        }
    }
}
