using System.CommandLine;
using System.Text.Json;
using Berth.Api.Yaml;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth config device</c> and <c>berth profile device</c>: one implementation for both, as lxc has; instances
/// also get <c>override</c> (copy a profile's device into the instance and change it there).
/// </summary>
internal sealed class DeviceCommand : Command
{
    public DeviceCommand(CliApp app, DeviceOwnerKind kind) : base("device", "Manage devices")
    {
        Subcommands.Add(new DeviceAddCommand(app, kind));
        Subcommands.Add(new DeviceGetCommand(app, kind));
        Subcommands.Add(new DeviceListCommand(app, kind));
        if (kind.IsInstance)
        {
            Subcommands.Add(new DeviceOverrideCommand(app, kind));
        }

        Subcommands.Add(new DeviceRemoveCommand(app, kind));
        Subcommands.Add(new DeviceSetCommand(app, kind));
        Subcommands.Add(new DeviceShowCommand(app, kind));
        Subcommands.Add(new DeviceUnsetCommand(app, kind));
    }

    internal static Argument<string> DeviceArgument() => new("device") { Description = "Device name" };

    /// <summary>Sets (or, with an empty value, blanks) keys as lxc does: the daemon validates the result.</summary>
    internal static void Apply(Dictionary<string, string> device, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        foreach (var (key, value) in pairs)
        {
            device[key] = value;
        }
    }
}

/// <summary>
/// A <c>device</c> verb: the owner argument comes first, and the owner (a profile or an instance) is loaded
/// through its kind.
/// </summary>
internal abstract class DeviceSubcommand : Command
{
    private readonly DeviceOwnerKind _kind;
    private readonly Argument<string> _owner;

    protected DeviceSubcommand(CliApp app, DeviceOwnerKind kind, string name, string description) : base(name, description)
    {
        _kind = kind;
        _owner = new(kind.Noun) { Description = $"[<remote>:]<{kind.Noun}>" };
        Arguments.Add(_owner);
        app.SetAction(this, RunAsync);
    }

    protected Task<DeviceOwner> LoadAsync(CliContext context, CancellationToken cancellationToken) =>
        _kind.LoadAsync(context, context.GetValue(_owner), cancellationToken);

    protected abstract Task RunAsync(CliContext context, CancellationToken cancellationToken);
}

/// <summary><c>device add [remote:]owner device type [key=value...]</c>.</summary>
internal sealed class DeviceAddCommand : DeviceSubcommand
{
    private readonly Argument<string> _device = DeviceCommand.DeviceArgument();
    private readonly Argument<string> _type = new("type") { Description = "Device type (disk, nic, unix-char, proxy, ...)" };
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "Device configuration", Arity = ArgumentArity.ZeroOrMore };

    public DeviceAddCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "add", $"Add {kind.Noun} devices")
    {
        Arguments.Add(_device);
        Arguments.Add(_type);
        Arguments.Add(_pairs);
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var config = KeyValues.ParsePairs(context.GetValue(_pairs) ?? []);
        config["type"] = context.GetValue(_type);
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var device = context.GetValue(_device);
        if (!owner.Devices.TryAdd(device, config))
        {
            throw new CliException("The device already exists");
        }

        await owner.SaveAsync(cancellationToken).ConfigureAwait(false);
        context.Print($"Device {device} added to {owner.Name}");
    }
}

/// <summary><c>device get [remote:]owner device key</c>: the value, or an empty line.</summary>
internal sealed class DeviceGetCommand : DeviceSubcommand
{
    private readonly Argument<string> _device = DeviceCommand.DeviceArgument();
    private readonly Argument<string> _key = new("key") { Description = "Device configuration key" };

    public DeviceGetCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "get", "Get values for device configuration keys")
    {
        Arguments.Add(_device);
        Arguments.Add(_key);
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var device = owner.Own(context.GetValue(_device), DeviceOwnerKind.GetInherited);
        await context.Out.WriteLineAsync(device.GetValueOrDefault(context.GetValue(_key), "")).ConfigureAwait(false);
    }
}

/// <summary><c>device list [remote:]owner</c>: the owner's own device names, one a line.</summary>
internal sealed class DeviceListCommand : DeviceSubcommand
{
    public DeviceListCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "list", $"List {kind.Noun} devices")
    {
        Aliases.Add("ls");
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        foreach (var device in owner.Devices.Keys.Order(StringComparer.Ordinal))
        {
            await context.Out.WriteLineAsync(device).ConfigureAwait(false);
        }
    }
}

/// <summary><c>config device override [remote:]instance device [key=value...]</c>: a local copy of a profile's device.</summary>
internal sealed class DeviceOverrideCommand : DeviceSubcommand
{
    private readonly Argument<string> _device = DeviceCommand.DeviceArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "Keys to change in the copy", Arity = ArgumentArity.ZeroOrMore };

    public DeviceOverrideCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "override", "Copy profile inherited devices and override configuration keys")
    {
        Arguments.Add(_device);
        Arguments.Add(_pairs);
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var pairs = KeyValues.ParsePairs(context.GetValue(_pairs) ?? []);
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var name = context.GetValue(_device);
        if (owner.Devices.ContainsKey(name))
        {
            throw new CliException("The device already exists");
        }

        if (!owner.Inherited.TryGetValue(name, out var inherited))
        {
            throw new CliException("The profile device doesn't exist");
        }

        var device = new Dictionary<string, string>(inherited, StringComparer.Ordinal);
        DeviceCommand.Apply(device, pairs);
        owner.Devices[name] = device;
        await owner.SaveAsync(cancellationToken).ConfigureAwait(false);
        context.Print($"Device {name} overridden for {owner.Name}");
    }
}

/// <summary><c>device remove [remote:]owner device...</c>.</summary>
internal sealed class DeviceRemoveCommand : DeviceSubcommand
{
    private readonly Argument<string[]> _devices = new("device") { Description = "Device names", Arity = ArgumentArity.OneOrMore };

    public DeviceRemoveCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "remove", $"Remove {kind.Noun} devices")
    {
        Aliases.Add("rm");
        Arguments.Add(_devices);
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var devices = context.GetValue(_devices);
        foreach (var device in devices)
        {
            owner.Own(device, DeviceOwnerKind.RemoveInherited);
            owner.Devices.Remove(device);
        }

        await owner.SaveAsync(cancellationToken).ConfigureAwait(false);
        foreach (var device in devices)
        {
            context.Print($"Device {device} removed from {owner.Name}");
        }
    }
}

/// <summary><c>device set [remote:]owner device key=value...</c> (or <c>key value</c>).</summary>
internal sealed class DeviceSetCommand : DeviceSubcommand
{
    private readonly Argument<string> _device = DeviceCommand.DeviceArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "<key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };

    public DeviceSetCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "set", "Set device configuration keys")
    {
        Arguments.Add(_device);
        Arguments.Add(_pairs);
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var pairs = KeyValues.Parse(context.GetValue(_pairs));
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        DeviceCommand.Apply(owner.Own(context.GetValue(_device), DeviceOwnerKind.ModifyInherited), pairs);
        await owner.SaveAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>device show [remote:]owner</c>: the owner's own devices as YAML.</summary>
internal sealed class DeviceShowCommand : DeviceSubcommand
{
    public DeviceShowCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "show", "Show full device configuration")
    {
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        var devices = JsonSerializer.SerializeToElement(owner.Devices, CliJsonContext.Default.DictionaryStringDictionaryStringString);
        await context.Out.WriteAsync(YamlWriter.Write(devices, sortKeys: true)).ConfigureAwait(false);
    }
}

/// <summary><c>device unset [remote:]owner device key</c>: the key set to empty, as lxc sends it.</summary>
internal sealed class DeviceUnsetCommand : DeviceSubcommand
{
    private readonly Argument<string> _device = DeviceCommand.DeviceArgument();
    private readonly Argument<string> _key = new("key") { Description = "Device configuration key" };

    public DeviceUnsetCommand(CliApp app, DeviceOwnerKind kind) : base(app, kind, "unset", "Unset device configuration keys")
    {
        Arguments.Add(_device);
        Arguments.Add(_key);
    }

    protected override async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var owner = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        DeviceCommand.Apply(owner.Own(context.GetValue(_device), DeviceOwnerKind.ModifyInherited), [new(context.GetValue(_key), "")]);
        await owner.SaveAsync(cancellationToken).ConfigureAwait(false);
    }
}
