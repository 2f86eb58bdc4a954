using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>[type/]name</c> of a volume argument, as lxc's parseVolume (default type custom).</summary>
internal static class VolumeRef
{
    public static (string Type, string Name) Parse(string raw)
    {
        var slash = raw.IndexOf('/', StringComparison.Ordinal);
        var type = slash > 0 ? raw[..slash] : "";
        return type is "custom" or "image" or "container" or "virtual-machine" ? (type, raw[(slash + 1)..]) : ("custom", raw);
    }

    public static string Path(string pool, string type, string name) =>
        $"/1.0/storage-pools/{BerthClient.Escape(pool)}/volumes/{BerthClient.Escape(type)}/{BerthClient.Escape(name)}";
}

/// <summary><c>berth storage volume info [remote:]pool [type/]volume</c>: name, type, usage, snapshots.</summary>
internal sealed class VolumeInfoCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();

    public VolumeInfoCommand(CliApp app) : base("info", "Show storage volume state information")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var (type, name) = VolumeRef.Parse(context.GetValue(_volume));
        if (name.Split('/').Length > 2)
        {
            throw new CliException("Invalid snapshot name");
        }

        if (name.Contains('/', StringComparison.Ordinal) || type == "image")
        {
            throw new CliException("Only instance or custom volumes are supported");
        }

        var client = context.Client(remote);
        var path = VolumeRef.Path(pool, type, name);
        var (volume, _) = await client.GetAsync(path, ApiJsonContext.Wire.StorageVolume, cancellationToken).ConfigureAwait(false);
        var (state, _) = await client.GetAsync(path + "/state", ApiJsonContext.Wire.StorageVolumeState, cancellationToken).ConfigureAwait(false);
        var (snapshots, _) = await client.GetAsync(path + "/snapshots?recursion=1", ApiJsonContext.Wire.ListStorageVolumeSnapshot, cancellationToken).ConfigureAwait(false);

        var text = new System.Text.StringBuilder();
        text.Append("Name: ").Append(volume.Name).Append('\n');
        if (volume.Description.Length > 0)
        {
            text.Append("Description: ").Append(volume.Description).Append('\n');
        }

        text.Append("Type: ").Append(volume.Type.Length > 0 ? volume.Type : "custom").Append('\n');
        if (volume.ContentType.Length > 0)
        {
            text.Append("Content type: ").Append(volume.ContentType).Append('\n');
        }

        if (state.Usage is { } usage)
        {
            text.Append("Usage: ").Append(StorageInfoCommand.Iec(usage.Used)).Append('\n');
        }

        if (snapshots.Count > 0)
        {
            var rows = snapshots.Select(s => new[]
            {
                s.Name[(s.Name.LastIndexOf('/') + 1)..],
                s.Description,
                s.ExpiresAt is { } at && at.ToUnixTimeSeconds() > 0 ? at.ToUniversalTime().ToString("yyyy/MM/dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : " ",
            }).ToList();
            rows.Sort(NaturalComparer.Rows);
            text.Append("\nSnapshots:\n").Append(TableFormat.RenderTable(["NAME", "DESCRIPTION", "EXPIRES AT"], rows, borders: true));
        }

        if (type == "custom" && await BackupRowsAsync(client, path, cancellationToken).ConfigureAwait(false) is { Count: > 0 } backups)
        {
            text.Append("\nBackups:\n").Append(TableFormat.RenderTable(["NAME", "TAKEN AT", "EXPIRES AT", "VOLUME ONLY", "OPTIMIZED STORAGE"], backups, borders: true));
        }

        await context.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    /// <summary>The volume's backups as lxc lists them; none where the server has no volume backups endpoint.</summary>
    private static async Task<List<string[]>> BackupRowsAsync(BerthClient client, string path, CancellationToken cancellationToken)
    {
        List<JsonElement> backups;
        try
        {
            (backups, _) = await client.GetAsync(path + "/backups?recursion=1", CliJsonContext.Default.ListJsonElement, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == 404)
        {
            return [];
        }

        return [.. backups.Select(b => new[]
        {
            b.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "",
            Time(b, "created_at"),
            Time(b, "expires_at"),
            b.TryGetProperty("volume_only", out var volumeOnly) && volumeOnly.ValueKind == JsonValueKind.True ? "YES" : "NO",
            b.TryGetProperty("optimized_storage", out var optimized) && optimized.ValueKind == JsonValueKind.True ? "YES" : "NO",
        })];
    }

    private static string Time(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var at) && at.ToUnixTimeSeconds() > 0
            ? at.ToUniversalTime().ToString("yyyy/MM/dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
            : " ";
}

/// <summary>
/// <c>berth storage volume edit [remote:]pool [type/]volume</c>: config and description as YAML, from $EDITOR or
/// stdin when it is not a terminal.
/// </summary>
internal sealed class VolumeEditCommand : Command
{
    private const string Header = """
        ### This is a YAML representation of a storage volume.
        ### Any line starting with a '# will be ignored.
        ###
        ### A storage volume consists of a set of configuration items.
        ###
        ### An example would look like:
        ### name: vol1
        ### config:
        ###   size: "61203283968"
        ### type: custom
        ### used_by: []
        ###
        ### Note that only the configuration can be changed.

        """;

    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();

    public VolumeEditCommand(CliApp app) : base("edit", "Edit storage volume configurations as YAML")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var (type, name) = VolumeRef.Parse(context.GetValue(_volume));
        var client = context.Client(remote);
        var path = VolumeRef.Path(pool, type, name);
        string? etag = null;
        var yaml = "";
        if (context.Host.InputIsTerminal)
        {
            (var volume, etag) = await client.GetAsync(path, ApiJsonContext.Wire.StorageVolume, cancellationToken).ConfigureAwait(false);
            yaml = Header + Render.Yaml(volume, ApiJsonContext.Wire.StorageVolume);
        }

        await context.EditAsync(yaml, async text =>
        {
            var node = YamlReader.Read(string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith('#'))));
            var put = new StorageVolumePut();
            if (node is JsonObject fields)
            {
                put.Description = fields["description"] is JsonValue d ? d.ToString() : "";
                if (fields["config"] is JsonObject config)
                {
                    foreach (var (key, value) in config)
                    {
                        put.Config[key] = value is JsonValue v ? v.ToString() : "";
                    }
                }
            }

            await client.SendJsonAsync(HttpMethod.Put, path, put, ApiJsonContext.Wire.StorageVolumePut, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage volume attach-profile [remote:]pool volume profile [device] [path]</c>: a disk device in the profile.</summary>
internal sealed class VolumeAttachProfileCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _profile = new("profile") { Description = "Profile name" };
    private readonly Argument<string[]> _rest = new("[device name] [path]") { Description = "Optional device name and mount path", Arity = new ArgumentArity(0, 2) };

    public VolumeAttachProfileCommand(CliApp app) : base("attach-profile", "Attach new storage volumes to profiles")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_profile);
        Arguments.Add(_rest);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var rawVolume = context.GetValue(_volume);
        var rest = context.GetValue(_rest) ?? [];
        var (device, path) = rest.Length switch
        {
            0 => (rawVolume, ""),
            1 => (rawVolume, rest[0]),
            _ => (rest[0], rest[1]),
        };
        var (type, name) = VolumeRef.Parse(rawVolume);
        if (type != "custom")
        {
            throw new CliException("Only \"custom\" volumes can be attached to instances");
        }

        var client = context.Client(remote);
        var (volume, _) = await client.GetAsync(VolumeRef.Path(pool, type, name), ApiJsonContext.Wire.StorageVolume, cancellationToken).ConfigureAwait(false);
        var entry = new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = "disk", ["pool"] = pool, ["source"] = volume.Name };
        if (volume.ContentType != "block")
        {
            entry["path"] = path;
        }

        var (profile, etag) = await client.GetProfileAsync(context.GetValue(_profile), cancellationToken).ConfigureAwait(false);
        if (profile.Devices.ContainsKey(device))
        {
            throw new CliException($"Device already exists: {device}");
        }

        profile.Devices[device] = entry;
        await client.UpdateProfileAsync(profile.Name, Writable(profile), etag, cancellationToken).ConfigureAwait(false);
    }

    internal static ProfilePut Writable(Profile profile) => new() { Config = profile.Config, Description = profile.Description, Devices = profile.Devices };
}

/// <summary><c>berth storage volume detach-profile [remote:]pool volume profile [device]</c>.</summary>
internal sealed class VolumeDetachProfileCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _profile = new("profile") { Description = "Profile name" };
    private readonly Argument<string?> _device = new("device") { Description = "Device name", Arity = ArgumentArity.ZeroOrOne };

    public VolumeDetachProfileCommand(CliApp app) : base("detach-profile", "Detach storage volumes from profiles")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_profile);
        Arguments.Add(_device);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var volume = context.GetValue(_volume);
        var client = context.Client(remote);
        var (profile, etag) = await client.GetProfileAsync(context.GetValue(_profile), cancellationToken).ConfigureAwait(false);
        var device = context.GetValue(_device) ?? "";
        if (device.Length == 0)
        {
            foreach (var (key, entry) in profile.Devices)
            {
                if (entry.GetValueOrDefault("type") == "disk" && entry.GetValueOrDefault("pool") == pool && entry.GetValueOrDefault("source") == volume)
                {
                    device = device.Length == 0 ? key : throw new CliException("More than one device matches, specify the device name");
                }
            }
        }

        if (device.Length == 0)
        {
            throw new CliException("No device found for this storage volume");
        }

        if (!profile.Devices.Remove(device))
        {
            throw new CliException("The specified device doesn't exist");
        }

        await client.UpdateProfileAsync(profile.Name, VolumeAttachProfileCommand.Writable(profile), etag, cancellationToken).ConfigureAwait(false);
    }
}
