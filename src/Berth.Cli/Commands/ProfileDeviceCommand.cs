using System.CommandLine;
using System.Text.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth profile device</c>: the devices of a profile.</summary>
internal sealed class ProfileDeviceCommand : Command
{
    public ProfileDeviceCommand(CliApp app) : base("device", "Manage devices")
    {
        Subcommands.Add(new ProfileDeviceAddCommand(app));
        Subcommands.Add(new ProfileDeviceGetCommand(app));
        Subcommands.Add(new ProfileDeviceListCommand(app));
        Subcommands.Add(new ProfileDeviceRemoveCommand(app));
        Subcommands.Add(new ProfileDeviceSetCommand(app));
        Subcommands.Add(new ProfileDeviceShowCommand(app));
        Subcommands.Add(new ProfileDeviceUnsetCommand(app));
    }

    internal static Argument<string> DeviceArgument() => new("device") { Description = "Device name" };

    internal static Dictionary<string, string> Existing(Api.Profile profile, string device) =>
        profile.Devices.TryGetValue(device, out var config) ? config : throw new CliException("Device doesn't exist");
}

/// <summary><c>berth profile device add [remote:]profile device type [key=value...]</c>.</summary>
internal sealed class ProfileDeviceAddCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _device = ProfileDeviceCommand.DeviceArgument();
    private readonly Argument<string> _type = new("type") { Description = "Device type (disk, nic, unix-char, ...)" };
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "Device configuration", Arity = ArgumentArity.ZeroOrMore };

    public ProfileDeviceAddCommand(CliApp app) : base("add", "Add devices to a profile")
    {
        Arguments.Add(_profile);
        Arguments.Add(_device);
        Arguments.Add(_type);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var device = context.GetValue(_device);
        var config = KeyValues.ParsePairs(context.GetValue(_pairs) ?? []);
        config["type"] = context.GetValue(_type);
        await ProfileCommand.UpdateAsync(context, remote, name, profile =>
        {
            if (!profile.Devices.TryAdd(device, config))
            {
                throw new CliException("The device already exists");
            }
        }, cancellationToken).ConfigureAwait(false);
        ProfileCommand.Print(context, $"Device {device} added to {name}");
    }
}

/// <summary><c>berth profile device get [remote:]profile device key</c>.</summary>
internal sealed class ProfileDeviceGetCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _device = ProfileDeviceCommand.DeviceArgument();
    private readonly Argument<string> _key = new("key") { Description = "Device configuration key" };

    public ProfileDeviceGetCommand(CliApp app) : base("get", "Get values for device configuration keys")
    {
        Arguments.Add(_profile);
        Arguments.Add(_device);
        Arguments.Add(_key);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var (profile, _) = await context.Client(remote).GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        var config = ProfileDeviceCommand.Existing(profile, context.GetValue(_device));
        await context.Out.WriteLineAsync(config.GetValueOrDefault(context.GetValue(_key), "")).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile device list [remote:]profile</c>: device names, one a line.</summary>
internal sealed class ProfileDeviceListCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();

    public ProfileDeviceListCommand(CliApp app) : base("list", "List the devices of a profile")
    {
        Aliases.Add("ls");
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var (profile, _) = await context.Client(remote).GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        foreach (var device in profile.Devices.Keys.Order(StringComparer.Ordinal))
        {
            await context.Out.WriteLineAsync(device).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth profile device remove [remote:]profile device...</c>.</summary>
internal sealed class ProfileDeviceRemoveCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string[]> _devices = new("device") { Description = "Device names", Arity = ArgumentArity.OneOrMore };

    public ProfileDeviceRemoveCommand(CliApp app) : base("remove", "Remove devices from a profile")
    {
        Aliases.Add("rm");
        Arguments.Add(_profile);
        Arguments.Add(_devices);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var devices = context.GetValue(_devices);
        await ProfileCommand.UpdateAsync(context, remote, name, profile =>
        {
            foreach (var device in devices)
            {
                if (!profile.Devices.Remove(device))
                {
                    throw new CliException("Device doesn't exist");
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        foreach (var device in devices)
        {
            ProfileCommand.Print(context, $"Device {device} removed from {name}");
        }
    }
}

/// <summary><c>berth profile device set [remote:]profile device key=value...</c> (or <c>key value</c>).</summary>
internal sealed class ProfileDeviceSetCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _device = ProfileDeviceCommand.DeviceArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "<key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };

    public ProfileDeviceSetCommand(CliApp app) : base("set", "Set device configuration keys")
    {
        Arguments.Add(_profile);
        Arguments.Add(_device);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var device = context.GetValue(_device);
        var pairs = KeyValues.Parse(context.GetValue(_pairs));
        await ProfileCommand.UpdateAsync(context, remote, name, profile =>
        {
            var config = ProfileDeviceCommand.Existing(profile, device);
            foreach (var (key, value) in pairs)
            {
                if (value.Length == 0)
                {
                    config.Remove(key);
                }
                else
                {
                    config[key] = value;
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile device show [remote:]profile</c>: the devices as YAML.</summary>
internal sealed class ProfileDeviceShowCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();

    public ProfileDeviceShowCommand(CliApp app) : base("show", "Show the full device configuration of a profile")
    {
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var (profile, _) = await context.Client(remote).GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        var devices = JsonSerializer.SerializeToElement(profile, Api.Json.ApiJsonContext.Wire.Profile).GetProperty("devices");
        await context.Out.WriteAsync(YamlWriter.Write(devices, sortKeys: true)).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile device unset [remote:]profile device key</c>.</summary>
internal sealed class ProfileDeviceUnsetCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _device = ProfileDeviceCommand.DeviceArgument();
    private readonly Argument<string> _key = new("key") { Description = "Device configuration key" };

    public ProfileDeviceUnsetCommand(CliApp app) : base("unset", "Unset device configuration keys")
    {
        Arguments.Add(_profile);
        Arguments.Add(_device);
        Arguments.Add(_key);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var device = context.GetValue(_device);
        var key = context.GetValue(_key);
        await ProfileCommand.UpdateAsync(
            context, remote, name, profile => ProfileDeviceCommand.Existing(profile, device).Remove(key), cancellationToken).ConfigureAwait(false);
    }
}
