using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth config</c>: the server's configuration (<c>/1.0</c> <c>config</c>).</summary>
internal sealed class ConfigCommand : Command
{
    public ConfigCommand(CliApp app) : base("config", "Manage server configuration options")
    {
        Subcommands.Add(new ConfigGetCommand(app));
        Subcommands.Add(new ConfigSetCommand(app));
        Subcommands.Add(new ConfigUnsetCommand(app));
        Subcommands.Add(new ConfigShowCommand(app));
        Subcommands.Add(new ConfigEditCommand(app));
        Subcommands.Add(new ConfigTrustCommand(app));
    }

    /// <summary>The remote of a server-config command: <c>remote:</c> as first argument, else the default.</summary>
    internal static (string Remote, List<string> Others) Target(CliContext context, IReadOnlyList<string>? args)
    {
        var (remote, rest) = KeyValues.SplitRemote(args ?? []);
        return (context.ParseRemoteOnly(remote), rest);
    }

    internal static async Task UpdateAsync(CliContext context, string remote, Action<Dictionary<string, string>> change, CancellationToken cancellationToken)
    {
        var client = context.Client(remote);
        var (server, etag) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
        var config = new Dictionary<string, string>(server.Config, StringComparer.Ordinal);
        change(config);
        await client.UpdateServerAsync(new ServerPut { Config = config }, etag, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth config get [remote:] key</c>: prints the value (an empty line when unset).</summary>
internal sealed class ConfigGetCommand : Command
{
    private readonly Argument<string[]> _args = new("key") { Description = "[<remote>:] <key>", Arity = new ArgumentArity(1, 2) };

    public ConfigGetCommand(CliApp app) : base("get", "Get values for server configuration keys")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, rest) = ConfigCommand.Target(context, context.GetValue(_args));
        if (rest.Count != 1)
        {
            throw new CliException("Instance configuration is not supported yet: use berth config get [<remote>:] <key>");
        }

        var (server, _) = await context.Client(remote).GetServerAsync(cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync(server.Config.GetValueOrDefault(rest[0], "")).ConfigureAwait(false);
    }
}

/// <summary><c>berth config set [remote:] key=value...</c> (or <c>key value</c>): GET, then PUT with If-Match.</summary>
internal sealed class ConfigSetCommand : Command
{
    private readonly Argument<string[]> _args = new("key=value") { Description = "[<remote>:] <key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };

    public ConfigSetCommand(CliApp app) : base("set", "Set server configuration keys")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, rest) = ConfigCommand.Target(context, context.GetValue(_args));
        var pairs = KeyValues.Parse(rest);
        await ConfigCommand.UpdateAsync(context, remote, config =>
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
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth config unset [remote:] key</c>.</summary>
internal sealed class ConfigUnsetCommand : Command
{
    private readonly Argument<string[]> _args = new("key") { Description = "[<remote>:] <key>", Arity = new ArgumentArity(1, 2) };

    public ConfigUnsetCommand(CliApp app) : base("unset", "Unset server configuration keys")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, rest) = ConfigCommand.Target(context, context.GetValue(_args));
        if (rest.Count != 1)
        {
            throw new CliException("Instance configuration is not supported yet: use berth config unset [<remote>:] <key>");
        }

        await ConfigCommand.UpdateAsync(context, remote, config => config.Remove(rest[0]), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth config show [remote:]</c>: the writable server configuration as YAML.</summary>
internal sealed class ConfigShowCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ConfigShowCommand(CliApp app) : base("show", "Show server configuration")
    {
        Arguments.Add(_remote);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (server, _) = await context.Client(context.ParseRemoteOnly(context.GetValue(_remote))).GetServerAsync(cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(Render.Yaml(new ServerPut { Config = server.Config }, ApiJsonContext.Wire.ServerPut)).ConfigureAwait(false);
    }
}

/// <summary>
/// <c>berth config edit [remote:]</c>: YAML in <c>$EDITOR</c>, or from stdin when it is not a terminal; sent as PUT
/// with the ETag of the GET it started from.
/// </summary>
internal sealed class ConfigEditCommand : Command
{
    private const string Header = """
        ### This is the server configuration of Berth, as YAML.
        ### Lines starting with '#' are ignored.
        ###
        ### For example:
        ### config:
        ###   core.https_address: "[::]:8443"
        ###   images.auto_update_interval: "6"

        """;

    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ConfigEditCommand(CliApp app) : base("edit", "Edit server configuration as YAML")
    {
        Arguments.Add(_remote);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.ParseRemoteOnly(context.GetValue(_remote)));
        var (server, etag) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
        var yaml = Header + Render.Yaml(new ServerPut { Config = server.Config }, ApiJsonContext.Wire.ServerPut);
        await context.EditAsync(yaml, async text =>
        {
            var put = Render.FromYaml(text, ApiJsonContext.Wire.ServerPut);
            put.Config ??= [];
            await client.UpdateServerAsync(put, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}
