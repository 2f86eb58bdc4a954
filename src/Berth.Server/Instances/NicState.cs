using System.Diagnostics;
using System.Text.Json;
using Berth.Api;
using Berth.Server.Networks;

namespace Berth.Server.Instances;

/// <summary>
/// Addresses, MACs and MTUs of a running container's interfaces, read inside its network namespace
/// (<c>nsenter -n ip -j addr</c>), and each NIC's host-side veth name from its volatile key.
/// </summary>
internal static class NicState
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static void Fill(long pid, Dictionary<string, InstanceStateNetwork>? network, Instance instance)
    {
        if (network is null || pid <= 0)
        {
            return;
        }

        var json = Run("nsenter", ["-t", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "ip", "-j", "addr"]);
        if (json is null)
        {
            return;
        }

        using var doc = JsonDocument.Parse(json);
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            var name = link.TryGetProperty("ifname", out var n) ? n.GetString() ?? "" : "";
            if (!network.TryGetValue(name, out var entry))
            {
                continue;
            }

            entry.Addresses = [.. NetworkService.AddressesOf(link).Select(a => new InstanceStateNetworkAddress { Family = a.Family, Address = a.Address, Netmask = a.Netmask, Scope = a.Scope })];
            entry.Hwaddr = name == "lo" ? "" : link.TryGetProperty("address", out var mac) ? mac.GetString() ?? "" : "";
            entry.Mtu = link.TryGetProperty("mtu", out var mtu) ? mtu.GetInt32() : 0;
            entry.State = link.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == "UP") ? "up" : "down";
        }

        foreach (var (device, nic) in instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic"))
        {
            var inside = nic.GetValueOrDefault("name") is { Length: > 0 } n2 ? n2 : device;
            if (network.TryGetValue(inside, out var entry) && instance.Config.TryGetValue($"volatile.{device}.host_name", out var host))
            {
                entry.HostName = host;
            }
        }
    }

    private static string? Run(string tool, string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                return null;
            }

            return process.ExitCode == 0 ? stdout.GetAwaiter().GetResult() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
