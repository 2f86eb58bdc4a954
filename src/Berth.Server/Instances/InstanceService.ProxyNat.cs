using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Berth.Api;
using Berth.Server.Storage;

namespace Berth.Server.Instances;

/// <summary>
/// Proxy devices with <c>nat=true</c>, as LXD's: no forwarder process, but DNAT rules towards the instance's static
/// IPv4 (a nic's <c>ipv4.address</c>), in an nftables table of the device's own (<c>ip berth-px-…</c>) named in
/// <c>proxy.&lt;dev&gt;.nat</c> beside the forwarders' pid files, so every path that stops the forwarders deletes it too.
/// </summary>
public sealed partial class InstanceService
{
    private const int MaxNatPorts = 1024;

    private static bool IsNat(Dictionary<string, string> proxy) => proxy.GetValueOrDefault("nat") is "true" or "1" or "yes" or "on";

    private string NatFile(string name, string device) => Path.Combine(_paths.LxcDir(name), $"proxy.{device}.nat");

    private static string NatTable(string name, string device) =>
        "berth-px-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name + "/" + device)))[..16];

    private async Task StartNatProxyAsync(Instance instance, string device, Dictionary<string, string> proxy, CancellationToken cancellationToken)
    {
        ApiException Bad(string why) => new(400, $"Error occurred when starting proxy device \"{device}\": {why}");
        var address = NicDevices(instance).Select(d => d.Nic.GetValueOrDefault("ipv4.address")).FirstOrDefault(a => a is { Length: > 0 })
            ?? throw Bad("NAT mode needs a nic with a static ipv4.address");
        var (protocol, listenAddress, listenPorts) = ParseInet(proxy.GetValueOrDefault("listen") ?? "") ?? throw Bad("invalid listen address");
        var (connectProtocol, connectAddress, connectPorts) = ParseInet(proxy.GetValueOrDefault("connect") ?? "") ?? throw Bad("invalid connect address");
        if (protocol != connectProtocol)
        {
            throw Bad("NAT mode forwards tcp to tcp and udp to udp only");
        }

        if (!connectAddress.Equals(IPAddress.Any) && connectAddress.ToString() != address)
        {
            throw Bad($"the connect address must be the instance's static IP ({address}) in NAT mode");
        }

        if (IPAddress.IsLoopback(listenAddress))
        {
            throw Bad("NAT mode cannot listen on a loopback address");
        }

        var rules = new StringBuilder();
        for (var i = 0; i < listenPorts.Count; i++)
        {
            var to = connectPorts[connectPorts.Count == 1 ? 0 : i];
            var match = listenAddress.Equals(IPAddress.Any) ? "fib daddr type local" : $"ip daddr {listenAddress}";
            rules.Append(CultureInfo.InvariantCulture, $"    {match} {protocol} dport {listenPorts[i]} dnat ip to {address}:{to}\n");
        }

        // Prerouting for traffic from elsewhere, output for the host's own, and hairpin masquerade for the instance itself.
        var table = NatTable(instance.Name, device);
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"table ip {table} {{}}\ndelete table ip {table}\ntable ip {table} {{\n");
        script.Append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n").Append(rules).Append("  }\n");
        script.Append("  chain output {\n    type nat hook output priority -100; policy accept;\n").Append(rules).Append("  }\n");
        script.Append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var port in connectPorts.Distinct())
        {
            script.Append(CultureInfo.InvariantCulture, $"    ip saddr {address} ip daddr {address} {protocol} dport {port} masquerade\n");
        }

        script.Append("  }\n}\n");
        var file = NatFile(instance.Name, device);
        await File.WriteAllTextAsync(file, table, cancellationToken).ConfigureAwait(false);
        var rulesFile = file + ".nft";
        await File.WriteAllTextAsync(rulesFile, script.ToString(), cancellationToken).ConfigureAwait(false);
        var (code, _, stderr) = await StorageTools.TryRunAsync("nft", ["-f", rulesFile], cancellationToken).ConfigureAwait(false);
        File.Delete(rulesFile);
        if (code != 0)
        {
            File.Delete(file);
            throw Bad($"nft: {stderr.Trim()}");
        }
    }

    /// <summary>Deletes the NAT tables named by the instance's <c>proxy.*.nat</c> files.</summary>
    private static void StopNatProxies(string dir)
    {
        foreach (var file in Directory.GetFiles(dir, "proxy.*.nat"))
        {
            StopNatProxy(file);
        }
    }

    /// <summary>Deletes the NAT table one <c>proxy.&lt;dev&gt;.nat</c> file names, and the file.</summary>
    private static void StopNatProxy(string file)
    {
        if (!File.Exists(file))
        {
            return;
        }

        var table = File.ReadAllText(file).Trim();
        if (table.StartsWith("berth-px-", StringComparison.Ordinal))
        {
            StorageTools.TryRunAsync("nft", ["delete", "table", "ip", table], CancellationToken.None).GetAwaiter().GetResult();
        }

        File.Delete(file);
    }

    /// <summary><c>tcp:10.0.0.1:80,8000-8002</c> → (tcp, 10.0.0.1, [80, 8000, 8001, 8002]); IPv4 only.</summary>
    private static (string Protocol, IPAddress Address, List<int> Ports)? ParseInet(string value)
    {
        var first = value.IndexOf(':', StringComparison.Ordinal);
        var last = value.LastIndexOf(':');
        if (first < 0 || last <= first || value[..first] is not ("tcp" or "udp")
            || !IPAddress.TryParse(value[(first + 1)..last], out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        var ports = new List<int>();
        foreach (var item in value[(last + 1)..].Split(','))
        {
            var bounds = item.Split('-');
            if (bounds.Length > 2 || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var high) || high < low || high > 65535)
            {
                return null;
            }

            for (var port = low; port <= high && ports.Count <= MaxNatPorts; port++)
            {
                ports.Add(port);
            }
        }

        return ports.Count is > 0 and <= MaxNatPorts ? (value[..first], address, ports) : null;
    }
}
