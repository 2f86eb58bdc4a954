using System.CommandLine;
using System.Globalization;
using System.Text;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth network attach|attach-profile network target [device] [interface]</c>: a nic on the network added to an
/// instance (hot-plugged when running) or a profile, as lxc does: <c>network=</c> for a managed network, else a
/// bridged nic (or macvlan) on the host interface.
/// </summary>
internal sealed class NetworkAttachCommand : Command
{
    private readonly bool _profile;
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();
    private readonly Argument<string> _target;
    private readonly Argument<string[]> _rest = new("[device] [interface]") { Description = "Device name (default: the network's), then the interface name inside", Arity = new ArgumentArity(0, 2) };

    public NetworkAttachCommand(CliApp app, bool profile)
        : base(profile ? "attach-profile" : "attach", profile ? "Attach network interfaces to profiles" : "Attach network interfaces to instances")
    {
        _profile = profile;
        _target = new(profile ? "profile" : "instance") { Description = profile ? "Profile name" : "Instance name" };
        Arguments.Add(_network);
        Arguments.Add(_target);
        Arguments.Add(_rest);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var rest = context.GetValue(_rest);
        var client = context.Client(remote);
        var (network, _) = await client.GetNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        var nic = new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = "nic" };
        if (network.Managed)
        {
            nic["network"] = network.Name;
        }
        else
        {
            nic["nictype"] = network.Type == "bridge" ? "bridged" : "macvlan";
            nic["parent"] = network.Name;
        }

        if (rest.Length > 1)
        {
            nic["name"] = rest[1];
        }

        var device = rest.Length > 0 ? rest[0] : network.Name;
        var target = context.GetValue(_target);
        if (_profile)
        {
            var (profile, etag) = await client.GetProfileAsync(target, cancellationToken).ConfigureAwait(false);
            if (!profile.Devices.TryAdd(device, nic))
            {
                throw new CliException("The device already exists");
            }

            await client.UpdateProfileAsync(profile.Name, ProfileCommand.Writable(profile), etag, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var (instance, etag) = await client.GetInstanceAsync(target, cancellationToken).ConfigureAwait(false);
            if (!instance.Devices.TryAdd(device, nic))
            {
                throw new CliException("The device already exists");
            }

            await client.UpdateInstanceAsync(instance.Name, InstanceConfig.Writable(instance), etag, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth network detach|detach-profile network target [device]</c>: removes the nic on that network.</summary>
internal sealed class NetworkDetachCommand : Command
{
    private readonly bool _profile;
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();
    private readonly Argument<string> _target;
    private readonly Argument<string?> _device = new("device") { Description = "Device name", Arity = ArgumentArity.ZeroOrOne };

    public NetworkDetachCommand(CliApp app, bool profile)
        : base(profile ? "detach-profile" : "detach", profile ? "Detach network interfaces from profiles" : "Detach network interfaces from instances")
    {
        _profile = profile;
        _target = new(profile ? "profile" : "instance") { Description = profile ? "Profile name" : "Instance name" };
        Arguments.Add(_network);
        Arguments.Add(_target);
        Arguments.Add(_device);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var client = context.Client(remote);
        var target = context.GetValue(_target);
        if (_profile)
        {
            var (profile, etag) = await client.GetProfileAsync(target, cancellationToken).ConfigureAwait(false);
            Remove(profile.Devices, name, context.GetValue(_device));
            await client.UpdateProfileAsync(profile.Name, ProfileCommand.Writable(profile), etag, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var (instance, etag) = await client.GetInstanceAsync(target, cancellationToken).ConfigureAwait(false);
            Remove(instance.Devices, name, context.GetValue(_device));
            await client.UpdateInstanceAsync(instance.Name, InstanceConfig.Writable(instance), etag, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>lxc's rule: the named device must be a nic on the network; without a name, the first such nic.</summary>
    private static void Remove(Dictionary<string, Dictionary<string, string>> devices, string network, string? device)
    {
        static bool OnNetwork(Dictionary<string, string> d, string network) =>
            d.GetValueOrDefault("type") == "nic" && (d.GetValueOrDefault("network") == network || d.GetValueOrDefault("parent") == network);
        if (device is not null)
        {
            if (!devices.TryGetValue(device, out var found))
            {
                throw new CliException("The specified device doesn't exist");
            }

            if (!OnNetwork(found, network))
            {
                throw new CliException("The specified device doesn't match the network");
            }
        }
        else
        {
            device = devices.Where(d => OnNetwork(d.Value, network)).Select(d => d.Key).Order(StringComparer.Ordinal).FirstOrDefault()
                ?? throw new CliException("No device found for this network");
        }

        devices.Remove(device);
    }
}

/// <summary><c>berth network edit network</c>: config and description as YAML in $EDITOR (or from stdin).</summary>
internal sealed class NetworkEditCommand : Command
{
    private const string Header = """
        ### This is a YAML representation of the network.
        ### Any line starting with a '# will be ignored.
        ###
        ### A network consists of a set of configuration items.
        ###
        ### An example would look like:
        ### name: mybr0
        ### config:
        ###   ipv4.address: 10.62.42.1/24
        ###   ipv4.nat: true
        ###   ipv6.address: none
        ### description: ""
        ### type: bridge
        ###
        ### Note that only the configuration can be changed.

        """;

    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();

    public NetworkEditCommand(CliApp app) : base("edit", "Edit network configurations as YAML")
    {
        Arguments.Add(_network);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var client = context.Client(remote);
        var (network, etag) = await client.GetNetworkAsync(name, cancellationToken).ConfigureAwait(false);
        await context.EditAsync(Header + Render.Yaml(network, ApiJsonContext.Wire.Network), async text =>
        {
            var put = Render.FromYaml(text, ApiJsonContext.Wire.NetworkPut);
            await client.UpdateNetworkAsync(name, new NetworkPut { Config = put.Config ?? [], Description = put.Description ?? "" }, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}

/// <summary><c>berth network info network</c>: the interface's state, addresses, counters and bridge details, as lxc prints them.</summary>
internal sealed class NetworkInfoCommand : Command
{
    private readonly Argument<string> _network = NetworkCommand.NetworkArgument();

    public NetworkInfoCommand(CliApp app) : base("info", "Get runtime information on networks")
    {
        Arguments.Add(_network);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = NetworkCommand.Target(context, context.GetValue(_network));
        var state = await context.Client(remote).GetNetworkStateAsync(name, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Name: {name}\n");
        text.Append(CultureInfo.InvariantCulture, $"MAC address: {state.Hwaddr}\n");
        text.Append(CultureInfo.InvariantCulture, $"MTU: {state.Mtu}\n");
        text.Append(CultureInfo.InvariantCulture, $"State: {state.State}\n");
        text.Append(CultureInfo.InvariantCulture, $"Type: {state.Type}\n");
        if (state.Addresses.Count > 0)
        {
            text.Append("\nIP addresses:\n");
            foreach (var address in state.Addresses)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {address.Family}\t{address.Address}/{address.Netmask} ({address.Scope})\n");
            }
        }

        text.Append("\nNetwork usage:\n");
        text.Append(CultureInfo.InvariantCulture, $"  Bytes received: {Size(state.Counters.BytesReceived)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Bytes sent: {Size(state.Counters.BytesSent)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Packets received: {state.Counters.PacketsReceived}\n");
        text.Append(CultureInfo.InvariantCulture, $"  Packets sent: {state.Counters.PacketsSent}\n");
        if (state.Bridge is { } bridge)
        {
            text.Append("\nBridge:\n");
            text.Append(CultureInfo.InvariantCulture, $"  ID: {bridge.Id}\n");
            text.Append(CultureInfo.InvariantCulture, $"  STP: {(bridge.Stp ? "true" : "false")}\n");
            text.Append(CultureInfo.InvariantCulture, $"  Forward delay: {bridge.ForwardDelay}\n");
            text.Append(CultureInfo.InvariantCulture, $"  Default VLAN ID: {bridge.VlanDefault}\n");
            text.Append(CultureInfo.InvariantCulture, $"  VLAN filtering: {(bridge.VlanFiltering ? "true" : "false")}\n");
            text.Append(CultureInfo.InvariantCulture, $"  Upper devices: {string.Join(", ", bridge.UpperDevices)}\n");
        }

        await context.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    /// <summary>lxc's units.GetByteSizeString(n, 2): decimal units.</summary>
    private static string Size(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        if (bytes < 1000)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        }

        var value = (double)bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return value.ToString("F2", CultureInfo.InvariantCulture) + units[unit];
    }
}
