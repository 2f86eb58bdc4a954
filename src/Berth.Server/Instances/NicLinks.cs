using System.Globalization;
using System.Security.Cryptography;
using Berth.Api;
using Berth.Server.Config;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// NICs of a running container changed from the host with iproute2 and tc: an interface made on the host under a
/// temporary name, moved into the container's network namespace (by its init pid), renamed and brought up there;
/// and the traffic limits LXD puts on a veth's host end.
/// </summary>
internal static class NicLinks
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Adds the interface <paramref name="inside"/>; on failure nothing is left on the host or in the container.</summary>
    public static async Task AttachAsync(int pid, string kind, string link, string hostName, string inside, string hwaddr, string? mtu, CancellationToken cancellationToken)
    {
        var ns = pid.ToString(CultureInfo.InvariantCulture);
        var tmp = kind == "physical" ? link : "bt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string[] address = hwaddr.Length > 0 ? ["address", hwaddr] : [];
        string[] mtuArgs = mtu is { Length: > 0 } ? ["mtu", mtu] : [];
        using var revert = new Reverter();
        switch (kind)
        {
            case "bridged" or "p2p":
                await IpAsync([.. new[] { "link", "add", hostName }, .. mtuArgs, "type", "veth", "peer", "name", tmp, .. address, .. mtuArgs], cancellationToken).ConfigureAwait(false);
                revert.Add(() => TryAsync("ip", ["link", "del", "dev", hostName]).GetAwaiter().GetResult());
                if (kind == "bridged")
                {
                    await IpAsync(["link", "set", "dev", hostName, "master", link], cancellationToken).ConfigureAwait(false);
                }

                await IpAsync(["link", "set", "dev", hostName, "up"], cancellationToken).ConfigureAwait(false);
                break;
            case "macvlan":
                await IpAsync([.. new[] { "link", "add", "link", link, "name", tmp }, .. address, .. mtuArgs, "type", "macvlan", "mode", "bridge"], cancellationToken).ConfigureAwait(false);
                revert.Add(() => TryAsync("ip", ["link", "del", "dev", tmp]).GetAwaiter().GetResult());
                break;
            case "physical":
                await IpAsync(["link", "set", "dev", link, "down"], cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ApiException(400, $"NIC type \"{kind}\" cannot be hot-plugged");
        }

        await IpAsync(["link", "set", "dev", tmp, "netns", ns], cancellationToken).ConfigureAwait(false);
        var current = tmp;
        revert.Add(() => (kind is "macvlan"
            ? TryAsync("nsenter", ["-t", ns, "-n", "ip", "link", "del", "dev", current])
            : kind is "physical" ? TryAsync("nsenter", ["-t", ns, "-n", "ip", "link", "set", "dev", current, "netns", HostNs]) : Task.CompletedTask).GetAwaiter().GetResult());
        if (tmp != inside)
        {
            await InsideAsync(ns, ["link", "set", "dev", tmp, "name", inside], cancellationToken).ConfigureAwait(false);
            current = inside;
        }

        if (kind == "physical")
        {
            revert.Add(() => TryAsync("nsenter", ["-t", ns, "-n", "ip", "link", "set", "dev", inside, "name", link]).GetAwaiter().GetResult());
            if (address.Length > 0 || mtuArgs.Length > 0)
            {
                await InsideAsync(ns, [.. new[] { "link", "set", "dev", inside }, .. address, .. mtuArgs], cancellationToken).ConfigureAwait(false);
            }
        }

        await InsideAsync(ns, ["link", "set", "dev", inside, "up"], cancellationToken).ConfigureAwait(false);
        revert.Success();
    }

    /// <summary>Removes the interface: a veth by its host end, a macvlan inside; a physical one goes back to the host under its name.</summary>
    public static async Task DetachAsync(int pid, string kind, string parent, string hostName, string inside, CancellationToken cancellationToken)
    {
        var ns = pid.ToString(CultureInfo.InvariantCulture);
        if (kind is "bridged" or "p2p" && hostName.Length > 0 && Directory.Exists(Path.Combine("/sys/class/net", hostName)))
        {
            await IpAsync(["link", "del", "dev", hostName], cancellationToken).ConfigureAwait(false);
        }
        else if (kind == "physical")
        {
            await InsideAsync(ns, ["link", "set", "dev", inside, "down"], cancellationToken).ConfigureAwait(false);
            await InsideAsync(ns, ["link", "set", "dev", inside, "name", parent], cancellationToken).ConfigureAwait(false);
            await InsideAsync(ns, ["link", "set", "dev", parent, "netns", HostNs], cancellationToken).ConfigureAwait(false);
        }
        else if (pid > 0)
        {
            await TryAsync("nsenter", ["-t", ns, "-n", "ip", "link", "del", "dev", inside]).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// LXD's limits on a veth's host end: <c>limits.ingress</c> (traffic to the container, leaving the host end) as an
    /// htb class on its root qdisc, <c>limits.egress</c> (from the container) policed on its ingress qdisc;
    /// <c>limits.max</c> is both. A kernel without the police action (act_police) gets the egress limit as an htb
    /// class on the container end instead. Old limits are cleared first, so this also applies changes and removals.
    /// </summary>
    public static async Task ShapeAsync(string hostName, int pid, string inside, IReadOnlyDictionary<string, string> nic, bool clearFirst, CancellationToken cancellationToken)
    {
        if (hostName.Length == 0 || !Directory.Exists(Path.Combine("/sys/class/net", hostName)))
        {
            return;
        }

        var ns = pid.ToString(CultureInfo.InvariantCulture);
        if (clearFirst)
        {
            await TryAsync("tc", ["qdisc", "del", "dev", hostName, "root"]).ConfigureAwait(false);
            await TryAsync("tc", ["qdisc", "del", "dev", hostName, "ingress"]).ConfigureAwait(false);
            await TryAsync("nsenter", ["-t", ns, "-n", "tc", "qdisc", "del", "dev", inside, "root"]).ConfigureAwait(false);
        }

        if (Bits(nic, "limits.ingress") is { } ingress)
        {
            await HtbAsync([], hostName, ingress, cancellationToken).ConfigureAwait(false);
        }

        if (Bits(nic, "limits.egress") is { } egress)
        {
            await TcAsync(["qdisc", "add", "dev", hostName, "handle", "ffff:0", "ingress"], cancellationToken).ConfigureAwait(false);
            var (code, stderr) = await ExecAsync("tc", ["filter", "add", "dev", hostName, "parent", "ffff:0", "protocol", "all", "u32", "match", "u32", "0", "0", "police", "rate", egress + "bit", "burst", "1024k", "mtu", "64kb", "drop"], cancellationToken).ConfigureAwait(false);
            if (code != 0 && stderr.Contains("action module", StringComparison.Ordinal) && pid > 0)
            {
                await TryAsync("tc", ["qdisc", "del", "dev", hostName, "ingress"]).ConfigureAwait(false);
                await HtbAsync(["nsenter", "-t", ns, "-n"], inside, egress, cancellationToken).ConfigureAwait(false);
            }
            else if (code != 0)
            {
                throw new ApiException(400, $"tc filter add dev {hostName}: {stderr.Trim()}");
            }
        }
    }

    /// <summary>Every packet leaving <paramref name="dev"/> through one htb class at <paramref name="bits"/> per second.</summary>
    private static async Task HtbAsync(string[] prefix, string dev, string bits, CancellationToken cancellationToken)
    {
        string[][] commands =
        [
            ["qdisc", "add", "dev", dev, "root", "handle", "1:0", "htb", "default", "10"],
            ["class", "add", "dev", dev, "parent", "1:0", "classid", "1:10", "htb", "rate", bits + "bit"],
        ];
        foreach (var args in commands)
        {
            if (prefix.Length == 0)
            {
                await TcAsync(args, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunAsync(prefix[0], [.. prefix[1..], "tc", .. args], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static bool HasLimits(IReadOnlyDictionary<string, string> nic) => nic.Keys.Any(k => k.StartsWith("limits.", StringComparison.Ordinal));

    private static string? Bits(IReadOnlyDictionary<string, string> nic, string key) =>
        (nic.GetValueOrDefault(key) is { Length: > 0 } v ? v : nic.GetValueOrDefault("limits.max")) is { Length: > 0 } value && ValueChecks.TryParseBitRate(value, out var bits) && bits > 0
            ? bits.ToString(CultureInfo.InvariantCulture)
            : null;

    /// <summary>berthd's own network namespace, where a physical nic returns (by pid, as <c>ip link set netns</c> takes).</summary>
    private static string HostNs => Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private static Task IpAsync(string[] args, CancellationToken cancellationToken) => RunAsync("ip", args, cancellationToken);

    private static Task TcAsync(string[] args, CancellationToken cancellationToken) => RunAsync("tc", args, cancellationToken);

    private static Task InsideAsync(string ns, string[] args, CancellationToken cancellationToken) =>
        RunAsync("nsenter", [.. new[] { "-t", ns, "-n", "ip" }, .. args], cancellationToken);

    private static async Task RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        var (code, stderr) = await ExecAsync(tool, args, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new ApiException(400, $"{string.Join(' ', tool == "nsenter" ? args.Skip(3) : [tool, .. args])}: {stderr.Trim()}");
        }
    }

    private static async Task TryAsync(string tool, string[] args) => await ExecAsync(tool, args, CancellationToken.None).ConfigureAwait(false);

    private static async Task<(int Code, string Stderr)> ExecAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        using var process = ToolRunner.Start(tool, args, redirectInput: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ToolTimeout);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            return (-1, $"{tool} timed out");
        }

        return (process.ExitCode, await stderr.ConfigureAwait(false));
    }
}
