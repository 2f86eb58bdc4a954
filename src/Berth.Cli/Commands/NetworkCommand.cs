using System.CommandLine;
using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth network</c>: managed bridges and the host's interfaces, with lxc's verbs and output.</summary>
internal sealed class NetworkCommand : Command
{
    public NetworkCommand(CliApp app) : base("network", "Manage and attach instances to networks")
    {
        Subcommands.Add(new NetworkListCommand(app));
        Subcommands.Add(new NetworkShowCommand(app));
        Subcommands.Add(new NetworkCreateCommand(app));
        Subcommands.Add(new NetworkDeleteCommand(app));
        Subcommands.Add(new NetworkGetCommand(app));
        Subcommands.Add(new NetworkSetCommand(app, unset: false));
        Subcommands.Add(new NetworkSetCommand(app, unset: true));
        Subcommands.Add(new NetworkRenameCommand(app));
        Subcommands.Add(new NetworkListLeasesCommand(app));
        Subcommands.Add(new NetworkAttachCommand(app, profile: false));
        Subcommands.Add(new NetworkAttachCommand(app, profile: true));
        Subcommands.Add(new NetworkDetachCommand(app, profile: false));
        Subcommands.Add(new NetworkDetachCommand(app, profile: true));
        Subcommands.Add(new NetworkEditCommand(app));
        Subcommands.Add(new NetworkInfoCommand(app));
    }

    internal static Argument<string> NetworkArgument() => new("network") { Description = "[<remote>:]<network>" };

    internal static (string Remote, string Name) Target(CliContext context, string raw)
    {
        var (remote, name) = context.ParseRemote(raw);
        return name.Length == 0 ? throw new CliException("Missing network name") : (remote, name);
    }
}

/// <summary><c>berth network list</c>: NAME, TYPE, MANAGED, IPV4, IPV6, DESCRIPTION, USED BY, STATE (lxc hides loopback and unknown interfaces).</summary>
internal sealed class NetworkListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public NetworkListCommand(CliApp app) : base("list", "List available networks")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var networks = (await context.Client(context.ParseRemoteOnly(context.GetValue(_remote))).GetNetworksAsync(cancellationToken).ConfigureAwait(false))
            .Where(n => n.Managed || n.Type is not ("loopback" or "unknown")).ToList();
        var rows = networks.Select(n => new[]
        {
            n.Name, n.Type, n.Managed ? "YES" : "NO", n.Config.GetValueOrDefault("ipv4.address", ""), n.Config.GetValueOrDefault("ipv6.address", ""),
            n.Description, (n.UsedBy?.Count ?? 0).ToString(CultureInfo.InvariantCulture), n.Status.ToUpperInvariant(),
        }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["NAME", "TYPE", "MANAGED", "IPV4", "IPV6", "DESCRIPTION", "USED BY", "STATE"], rows,
            _ => Render.Element(networks, ApiJsonContext.Wire.ListNetwork))).ConfigureAwait(false);
    }
}

/// <summary><c>berth network show network</c>: the network as YAML.</summary>
internal sealed class NetworkShowCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();

    public NetworkShowCommand(CliApp app) : base("show", "Show network configurations")
    {
        Arguments.Add(_network);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var (network, _) = await context.Client(remote).GetNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(Render.Yaml(network, ApiJsonContext.Wire.Network)).ConfigureAwait(false);
    }
}

/// <summary><c>berth network create network [key=value...] [--type bridge]</c>.</summary>
internal sealed class NetworkCreateCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "Network configuration", Arity = ArgumentArity.ZeroOrMore };
    private readonly Option<string> _type = new("--type", "-t") { Description = "Network type (bridge)", DefaultValueFactory = _ => "" };

    public NetworkCreateCommand(CliApp app) : base("create", "Create new networks")
    {
        Arguments.Add(_network);
        Arguments.Add(_pairs);
        Options.Add(_type);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var config = KeyValues.ParsePairs(context.GetValue(_pairs) ?? []);
        await context.Client(remote).CreateNetworkAsync(new NetworksPost { Name = name, Type = context.GetValue(_type) ?? "", Config = config }, cancellationToken).ConfigureAwait(false);
        context.Print($"Network {name} created");
    }
}

/// <summary><c>berth network delete network</c>.</summary>
internal sealed class NetworkDeleteCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();

    public NetworkDeleteCommand(CliApp app) : base("delete", "Delete networks")
    {
        Aliases.Add("rm");
        Arguments.Add(_network);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        await context.Client(remote).DeleteNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        context.Print($"Network {name} deleted");
    }
}

/// <summary><c>berth network get network key</c>.</summary>
internal sealed class NetworkGetCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();
    private readonly Argument<string> _key = new("key") { Description = "Configuration key" };

    public NetworkGetCommand(CliApp app) : base("get", "Get values for network configuration keys")
    {
        Arguments.Add(_network);
        Arguments.Add(_key);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var (network, _) = await context.Client(remote).GetNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync(network.Config.GetValueOrDefault(context.GetValue(_key), "")).ConfigureAwait(false);
    }
}

/// <summary><c>berth network set network key=value...</c> and <c>berth network unset network key</c>: read, change, PUT with If-Match.</summary>
internal sealed class NetworkSetCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "<key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };
    private readonly bool _unset;

    public NetworkSetCommand(CliApp app, bool unset) : base(unset ? "unset" : "set", unset ? "Unset network configuration keys" : "Set network configuration keys")
    {
        _unset = unset;
        Arguments.Add(_network);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var client = context.Client(remote);
        var (network, etag) = await client.GetNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        if (!network.Managed)
        {
            throw new CliException("Only managed networks can be modified");
        }

        var pairs = _unset ? [.. context.GetValue(_pairs).Select(k => new KeyValuePair<string, string>(k, ""))] : KeyValues.Parse(context.GetValue(_pairs));
        foreach (var (key, value) in pairs)
        {
            if (value.Length == 0)
            {
                network.Config.Remove(key);
            }
            else
            {
                network.Config[key] = value;
            }
        }

        await client.UpdateNetworkAsync(name, new NetworkPut { Config = network.Config, Description = network.Description }, etag, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth network rename network new-name</c>.</summary>
internal sealed class NetworkRenameCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();
    private readonly Argument<string> _newName = new("new-name") { Description = "<new-name>" };

    public NetworkRenameCommand(CliApp app) : base("rename", "Rename networks")
    {
        Aliases.Add("mv");
        Arguments.Add(_network);
        Arguments.Add(_newName);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        await context.Client(remote).RenameNetworkAsync(name, context.GetValue(_newName), cancellationToken).ConfigureAwait(false);
        context.Print($"Network {name} renamed to {context.GetValue(_newName)}");
    }
}

/// <summary><c>berth network list-leases network</c>: HOSTNAME, MAC ADDRESS, IP ADDRESS, TYPE.</summary>
internal sealed class NetworkListLeasesCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();

    public NetworkListLeasesCommand(CliApp app) : base("list-leases", "List DHCP leases")
    {
        Arguments.Add(_network);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var leases = await context.Client(remote).GetNetworkLeasesAsync(name, cancellationToken).ConfigureAwait(false);
        var rows = leases.Select(l => new[] { l.Hostname, l.Hwaddr, l.Address, l.Type.ToUpperInvariant() }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["HOSTNAME", "MAC ADDRESS", "IP ADDRESS", "TYPE"], rows,
            _ => Render.Element(leases, ApiJsonContext.Wire.ListNetworkLease))).ConfigureAwait(false);
    }
}
