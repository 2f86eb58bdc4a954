using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth config</c>: an instance's configuration (<c>[remote:]instance</c> first), or the server's
/// (<c>/1.0</c> <c>config</c>) when no instance is named, telling the two apart the way lxc does.
/// </summary>
internal sealed class ConfigCommand : Command
{
    public ConfigCommand(CliApp app) : base("config", "Manage instance and server configuration options")
    {
        Subcommands.Add(new ConfigGetCommand(app));
        Subcommands.Add(new ConfigSetCommand(app));
        Subcommands.Add(new ConfigUnsetCommand(app));
        Subcommands.Add(new ConfigShowCommand(app));
        Subcommands.Add(new ConfigEditCommand(app));
        Subcommands.Add(new DeviceCommand(app, DeviceOwnerKind.Instances));
        Subcommands.Add(new ConfigTrustCommand(app));
    }

    /// <summary>
    /// What a config command with a leading target argument acts on: <c>remote:</c> is that server, anything else
    /// names an instance (Instance is then non-null).
    /// </summary>
    internal static (string Remote, string? Instance) Target(CliContext context, string raw)
    {
        if (raw.EndsWith(':') && !raw.Contains('/', StringComparison.Ordinal))
        {
            return (context.ParseRemoteOnly(raw), null);
        }

        var (remote, name) = context.ParseRemote(raw);
        return (remote, name.Length == 0 ? null : name);
    }

    internal static async Task UpdateAsync(CliContext context, string remote, Action<Dictionary<string, string>> change, CancellationToken cancellationToken)
    {
        var client = context.Client(remote);
        var (server, etag) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
        var config = new Dictionary<string, string>(server.Config, StringComparer.Ordinal);
        change(config);
        await client.UpdateServerAsync(new ServerPut { Config = config }, etag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the pairs; an empty value removes the key.</summary>
    internal static void Apply(Dictionary<string, string> config, IEnumerable<KeyValuePair<string, string>> pairs)
    {
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
    }
}

/// <summary><c>berth config get [[remote:]instance] key [--expanded]</c>: the value, or an empty line when unset.</summary>
internal sealed class ConfigGetCommand : Command
{
    private readonly Argument<string[]> _args = new("key") { Description = "[<remote>:][<instance>] <key>", Arity = new ArgumentArity(1, 2) };
    private readonly Option<bool> _expanded = new("--expanded", "-e") { Description = "Access the expanded configuration" };

    public ConfigGetCommand(CliApp app) : base("get", "Get values for instance or server configuration keys")
    {
        Arguments.Add(_args);
        Options.Add(_expanded);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.GetValue(_args) ?? [];
        var (remote, instance) = args.Length == 2 ? ConfigCommand.Target(context, args[0]) : (context.Config.DefaultRemote, null);
        var key = args[^1];
        string value;
        if (instance is null)
        {
            var (server, _) = await context.Client(remote).GetServerAsync(cancellationToken).ConfigureAwait(false);
            value = server.Config.GetValueOrDefault(key, "");
        }
        else
        {
            var (found, _) = await context.Client(remote).GetInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
            value = (context.GetValue(_expanded) ? found.ExpandedConfig : found.Config).GetValueOrDefault(key, "");
        }

        await context.Out.WriteLineAsync(value).ConfigureAwait(false);
    }
}

/// <summary><c>berth config set [[remote:]instance] key=value...</c> (or <c>key value</c>): GET, then PUT with If-Match.</summary>
internal sealed class ConfigSetCommand : Command
{
    private readonly Argument<string[]> _args = new("key=value") { Description = "[<remote>:][<instance>] <key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };

    public ConfigSetCommand(CliApp app) : base("set", "Set instance or server configuration keys")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.GetValue(_args) ?? [];

        // As lxc: a first argument without '=' names the target, except in the server's two-word "key value" form.
        var hasTarget = !args[0].Contains('=', StringComparison.Ordinal)
            && (args.Length != 2 || args[0].EndsWith(':') || args[1].Contains('=', StringComparison.Ordinal));
        var (remote, instance) = hasTarget ? ConfigCommand.Target(context, args[0]) : (context.Config.DefaultRemote, null);
        var rest = hasTarget ? args[1..] : args;
        if (rest.Length == 0)
        {
            throw new CliException("Invalid number of arguments");
        }

        var pairs = KeyValues.Parse(rest);
        if (instance is null)
        {
            await ConfigCommand.UpdateAsync(context, remote, config => ConfigCommand.Apply(config, pairs), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await InstanceConfig.UpdateAsync(context, remote, instance, put => ConfigCommand.Apply(put.Config, pairs), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth config unset [[remote:]instance] key</c>.</summary>
internal sealed class ConfigUnsetCommand : Command
{
    private readonly Argument<string[]> _args = new("key") { Description = "[<remote>:][<instance>] <key>", Arity = new ArgumentArity(1, 2) };

    public ConfigUnsetCommand(CliApp app) : base("unset", "Unset instance or server configuration keys")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.GetValue(_args) ?? [];
        var (remote, instance) = args.Length == 2 ? ConfigCommand.Target(context, args[0]) : (context.Config.DefaultRemote, null);
        var key = args[^1];
        Action<Dictionary<string, string>> unset = config =>
        {
            if (!config.Remove(key))
            {
                throw new CliException($"Can't unset key '{key}', it's not currently set");
            }
        };
        if (instance is null)
        {
            await ConfigCommand.UpdateAsync(context, remote, unset, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await InstanceConfig.UpdateAsync(context, remote, instance, put => unset(put.Config), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth config show [[remote:]instance[/snapshot]] [--expanded]</c>: YAML of the writable configuration.</summary>
internal sealed class ConfigShowCommand : Command
{
    private readonly Argument<string?> _target = new("target") { Description = "[<remote>:][<instance>[/<snapshot>]]", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _expanded = new("--expanded", "-e") { Description = "Show the expanded configuration" };

    public ConfigShowCommand(CliApp app) : base("show", "Show instance or server configurations")
    {
        Arguments.Add(_target);
        Options.Add(_expanded);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var raw = context.GetValue(_target);
        var (remote, instance) = raw is null ? (context.Config.DefaultRemote, null) : ConfigCommand.Target(context, raw);
        var client = context.Client(remote);
        string yaml;
        if (instance is null)
        {
            var (server, _) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
            yaml = Render.Yaml(new ServerPut { Config = server.Config }, ApiJsonContext.Wire.ServerPut);
        }
        else if (InstanceConfig.SplitSnapshot(instance) is (var parent, { } snapshot))
        {
            yaml = InstanceConfig.Show((await client.GetInstanceSnapshotAsync(parent, snapshot, cancellationToken).ConfigureAwait(false)).Value);
        }
        else
        {
            yaml = InstanceConfig.Show((await client.GetInstanceAsync(instance, cancellationToken).ConfigureAwait(false)).Value, context.GetValue(_expanded));
        }

        await context.Out.WriteAsync(yaml).ConfigureAwait(false);
    }
}

/// <summary>
/// <c>berth config edit [[remote:]instance[/snapshot]]</c>: YAML in <c>$EDITOR</c>, or from stdin when it is not a
/// terminal; sent as PUT with the ETag of the GET it started from (a snapshot's only writable field is its expiry).
/// </summary>
internal sealed class ConfigEditCommand : Command
{
    private const string ServerHeader = """
        ### This is a YAML representation of the server configuration.
        ### Any line starting with a '# will be ignored.
        ###
        ### For example:
        ### config:
        ###   core.https_address: "[::]:8443"
        ###   images.auto_update_interval: "6"

        """;

    private readonly Argument<string?> _target = new("target") { Description = "[<remote>:][<instance>[/<snapshot>]]", Arity = ArgumentArity.ZeroOrOne };

    public ConfigEditCommand(CliApp app) : base("edit", "Edit instance or server configurations as YAML")
    {
        Arguments.Add(_target);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var raw = context.GetValue(_target);
        var (remote, instance) = raw is null ? (context.Config.DefaultRemote, null) : ConfigCommand.Target(context, raw);
        var client = context.Client(remote);
        if (instance is null)
        {
            var (server, etag) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
            await context.EditAsync(ServerHeader + Render.Yaml(new ServerPut { Config = server.Config }, ApiJsonContext.Wire.ServerPut), async text =>
            {
                var put = Render.FromYaml(text, ApiJsonContext.Wire.ServerPut);
                put.Config ??= [];
                await client.UpdateServerAsync(put, etag, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else if (InstanceConfig.SplitSnapshot(instance) is (var parent, { } snapshot))
        {
            var (found, etag) = await client.GetInstanceSnapshotAsync(parent, snapshot, cancellationToken).ConfigureAwait(false);
            await context.EditAsync(InstanceConfig.EditHeader + InstanceConfig.Show(found), async text =>
            {
                var put = Render.FromYaml(text, ApiJsonContext.Wire.InstanceSnapshotPut);
                await client.UpdateInstanceSnapshotAsync(parent, snapshot, new InstanceSnapshotPut { ExpiresAt = put.ExpiresAt }, etag, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else
        {
            var (found, etag) = await client.GetInstanceAsync(instance, cancellationToken).ConfigureAwait(false);
            await context.EditAsync(InstanceConfig.EditHeader + InstanceConfig.Show(found, expanded: false), async text =>
            {
                var put = InstanceConfig.Writable(Render.FromYaml(text, ApiJsonContext.Wire.InstancePut, "ephemeral", "stateful"));
                await client.UpdateInstanceAsync(instance, put, etag, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
    }
}
