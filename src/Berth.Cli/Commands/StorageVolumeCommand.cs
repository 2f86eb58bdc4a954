using System.CommandLine;
using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth storage volume</c>: custom volumes, with lxc's verbs and output.</summary>
internal sealed class StorageVolumeCommand : Command
{
    public StorageVolumeCommand(CliApp app) : base("volume", "Manage storage volumes")
    {
        Subcommands.Add(new VolumeListCommand(app));
        Subcommands.Add(new VolumeShowCommand(app));
        Subcommands.Add(new VolumeCreateCommand(app));
        Subcommands.Add(new VolumeDeleteCommand(app));
        Subcommands.Add(new VolumeGetCommand(app));
        Subcommands.Add(new VolumeSetCommand(app, unset: false));
        Subcommands.Add(new VolumeSetCommand(app, unset: true));
        Subcommands.Add(new VolumeRenameCommand(app));
        Subcommands.Add(new VolumeCopyCommand(app, move: false));
        Subcommands.Add(new VolumeCopyCommand(app, move: true));
        Subcommands.Add(new VolumeSnapshotCommand(app));
        Subcommands.Add(new VolumeRestoreCommand(app));
        Subcommands.Add(new VolumeAttachCommand(app));
        Subcommands.Add(new VolumeDetachCommand(app));
        Subcommands.Add(new VolumeInfoCommand(app));
        Subcommands.Add(new VolumeEditCommand(app));
        Subcommands.Add(new VolumeAttachProfileCommand(app));
        Subcommands.Add(new VolumeDetachProfileCommand(app));
        Subcommands.Add(new VolumeExportCommand(app));
        Subcommands.Add(new VolumeImportCommand(app));
    }

    internal static Argument<string> VolumeArgument() => new("volume") { Description = "Volume name (custom/<name> also accepted)" };

    /// <summary>lxc accepts <c>custom/name</c> as well as a bare name.</summary>
    internal static string VolumeName(string raw) => raw.StartsWith("custom/", StringComparison.Ordinal) ? raw["custom/".Length..] : raw;
}

internal sealed class VolumeListCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();

    public VolumeListCommand(CliApp app) : base("list", "List storage volumes")
    {
        Aliases.Add("ls");
        Arguments.Add(_pool);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var volumes = await context.Client(remote).GetStorageVolumesAsync(pool, cancellationToken).ConfigureAwait(false);
        // Snapshots come listed as <volume>/<snapshot>; lxc marks their type.
        var rows = volumes.Select(v => new[] { v.Name.Contains('/', StringComparison.Ordinal) ? v.Type + " (snapshot)" : v.Type, v.Name, v.Description, v.ContentType, v.UsedBy.Count.ToString(CultureInfo.InvariantCulture) }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["TYPE", "NAME", "DESCRIPTION", "CONTENT-TYPE", "USED BY"], rows,
            _ => Render.Element(volumes, ApiJsonContext.Wire.ListStorageVolume))).ConfigureAwait(false);
    }
}

internal sealed class VolumeShowCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();

    public VolumeShowCommand(CliApp app) : base("show", "Show storage volume configurations")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var (volume, _) = await context.Client(remote).GetStorageVolumeAsync(pool, StorageVolumeCommand.VolumeName(context.GetValue(_volume)), cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(Render.Yaml(volume, ApiJsonContext.Wire.StorageVolume)).ConfigureAwait(false);
    }
}

internal sealed class VolumeCreateCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "Volume configuration", Arity = ArgumentArity.ZeroOrMore };

    public VolumeCreateCommand(CliApp app) : base("create", "Create new custom storage volumes")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var name = StorageVolumeCommand.VolumeName(context.GetValue(_volume));
        var config = KeyValues.ParsePairs(context.GetValue(_pairs) ?? []);
        await context.Client(remote).CreateStorageVolumeAsync(pool, new StorageVolumesPost { Name = name, Type = "custom", Config = config }, cancellationToken).ConfigureAwait(false);
        context.Print($"Storage volume {name} created");
    }
}

internal sealed class VolumeDeleteCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();

    public VolumeDeleteCommand(CliApp app) : base("delete", "Delete storage volumes")
    {
        Aliases.Add("rm");
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var name = StorageVolumeCommand.VolumeName(context.GetValue(_volume));
        await context.Client(remote).DeleteStorageVolumeAsync(pool, name, cancellationToken).ConfigureAwait(false);
        context.Print($"Storage volume {name} deleted");
    }
}

internal sealed class VolumeGetCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _key = new("key") { Description = "Configuration key" };

    public VolumeGetCommand(CliApp app) : base("get", "Get values for storage volume configuration keys")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_key);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var (volume, _) = await context.Client(remote).GetStorageVolumeAsync(pool, StorageVolumeCommand.VolumeName(context.GetValue(_volume)), cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync(volume.Config.GetValueOrDefault(context.GetValue(_key), "")).ConfigureAwait(false);
    }
}

internal sealed class VolumeSetCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "<key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };
    private readonly bool _unset;

    public VolumeSetCommand(CliApp app, bool unset) : base(unset ? "unset" : "set", unset ? "Unset storage volume configuration keys" : "Set storage volume configuration keys")
    {
        _unset = unset;
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var name = StorageVolumeCommand.VolumeName(context.GetValue(_volume));
        var client = context.Client(remote);
        var (volume, etag) = await client.GetStorageVolumeAsync(pool, name, cancellationToken).ConfigureAwait(false);
        var pairs = _unset ? [.. context.GetValue(_pairs).Select(k => new KeyValuePair<string, string>(k, ""))] : KeyValues.Parse(context.GetValue(_pairs));
        foreach (var (key, value) in pairs)
        {
            if (value.Length == 0)
            {
                volume.Config.Remove(key);
            }
            else
            {
                volume.Config[key] = value;
            }
        }

        await client.UpdateStorageVolumeAsync(pool, name, new StorageVolumePut { Config = volume.Config, Description = volume.Description }, etag, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class VolumeRenameCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _newName = new("new-name") { Description = "New volume name" };

    public VolumeRenameCommand(CliApp app) : base("rename", "Rename storage volumes")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_newName);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var (name, newName) = (StorageVolumeCommand.VolumeName(context.GetValue(_volume)), StorageVolumeCommand.VolumeName(context.GetValue(_newName)));
        await context.Client(remote).MoveStorageVolumeAsync(pool, name, newName, cancellationToken: cancellationToken).ConfigureAwait(false);
        context.Print($"Renamed storage volume from \"{name}\" to \"{newName}\"");
    }
}

/// <summary><c>berth storage volume copy|move pool/volume pool/volume</c>.</summary>
internal sealed class VolumeCopyCommand : Command
{
    private readonly Argument<string> _source = new("source") { Description = "<pool>/<volume>[/<snapshot>]" };
    private readonly Argument<string> _target = new("target") { Description = "<pool>/<volume>" };
    private readonly Option<bool> _volumeOnly = new("--volume-only") { Description = "Copy the volume without its snapshots" };
    private readonly bool _move;

    public VolumeCopyCommand(CliApp app, bool move) : base(move ? "move" : "copy", move ? "Move storage volumes between pools" : "Copy storage volumes")
    {
        _move = move;
        Arguments.Add(_source);
        Arguments.Add(_target);
        Options.Add(_volumeOnly);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, source) = context.ParseRemote(context.GetValue(_source));
        var (_, target) = context.ParseRemote(context.GetValue(_target));
        var s = source.Split('/', 2);
        var t = target.Split('/', 2);
        if (s.Length != 2 || t.Length != 2)
        {
            throw new CliException("Volumes are given as <pool>/<volume>");
        }

        var client = context.Client(remote);
        if (_move)
        {
            await client.MoveStorageVolumeAsync(s[0], s[1], t[1], t[0], cancellationToken).ConfigureAwait(false);
            context.Print("Storage volume moved successfully!");
            return;
        }

        var request = new StorageVolumesPost { Name = t[1], Type = "custom", Source = new StorageVolumeSource { Type = "copy", Pool = s[0], Name = s[1], VolumeOnly = context.GetValue(_volumeOnly) } };
        await client.CreateStorageVolumeAsync(t[0], request, cancellationToken).ConfigureAwait(false);
        context.Print("Storage volume copied successfully!");
    }
}

internal sealed class VolumeSnapshotCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string?> _snapshot = new("snapshot") { Description = "Snapshot name (default snap%d)", Arity = ArgumentArity.ZeroOrOne };

    public VolumeSnapshotCommand(CliApp app) : base("snapshot", "Snapshot storage volumes")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_snapshot);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        await context.Client(remote).CreateStorageVolumeSnapshotAsync(pool, StorageVolumeCommand.VolumeName(context.GetValue(_volume)), context.GetValue(_snapshot) ?? "", cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class VolumeRestoreCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _snapshot = new("snapshot") { Description = "Snapshot to restore" };

    public VolumeRestoreCommand(CliApp app) : base("restore", "Restore storage volume snapshots")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_snapshot);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        await context.Client(remote).RestoreStorageVolumeAsync(pool, StorageVolumeCommand.VolumeName(context.GetValue(_volume)), context.GetValue(_snapshot), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage volume attach pool volume instance [device] path</c>: adds a disk device (hot-plugged when running).</summary>
internal sealed class VolumeAttachCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _instance = new("instance") { Description = "Instance name" };
    private readonly Argument<string[]> _rest = new("[device] path") { Description = "Optional device name, then the mount path", Arity = new ArgumentArity(1, 2) };

    public VolumeAttachCommand(CliApp app) : base("attach", "Attach new custom storage volumes to instances")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_instance);
        Arguments.Add(_rest);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var volume = StorageVolumeCommand.VolumeName(context.GetValue(_volume));
        var rest = context.GetValue(_rest);
        var (device, path) = rest.Length == 2 ? (rest[0], rest[1]) : (volume, rest[0]);
        var client = context.Client(remote);
        var (instance, etag) = await client.GetInstanceAsync(context.GetValue(_instance), cancellationToken).ConfigureAwait(false);
        if (instance.Devices.ContainsKey(device))
        {
            throw new CliException($"The device already exists");
        }

        instance.Devices[device] = new() { ["type"] = "disk", ["pool"] = pool, ["source"] = volume, ["path"] = path };
        await client.UpdateInstanceAsync(instance.Name, InstanceConfig.Writable(instance), etag, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class VolumeDetachCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string> _instance = new("instance") { Description = "Instance name" };
    private readonly Argument<string?> _device = new("device") { Description = "Device name", Arity = ArgumentArity.ZeroOrOne };

    public VolumeDetachCommand(CliApp app) : base("detach", "Detach custom storage volumes from instances")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_instance);
        Arguments.Add(_device);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var volume = StorageVolumeCommand.VolumeName(context.GetValue(_volume));
        var client = context.Client(remote);
        var (instance, etag) = await client.GetInstanceAsync(context.GetValue(_instance), cancellationToken).ConfigureAwait(false);
        var device = context.GetValue(_device) ?? instance.Devices.FirstOrDefault(d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("pool") == pool && d.Value.GetValueOrDefault("source") == volume).Key;
        if (device is null || !instance.Devices.Remove(device))
        {
            throw new CliException("No device found for this storage volume");
        }

        await client.UpdateInstanceAsync(instance.Name, InstanceConfig.Writable(instance), etag, cancellationToken).ConfigureAwait(false);
    }
}
