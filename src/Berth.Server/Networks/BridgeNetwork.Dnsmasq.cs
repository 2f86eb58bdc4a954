using System.Globalization;
using Berth.Api;
using Berth.Native;
using Berth.Server.Storage;

namespace Berth.Server.Networks;

internal sealed partial class BridgeNetwork
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The running dnsmasq of this network (checked by its command line, never a recycled pid), or 0.</summary>
    public int DnsmasqPid()
    {
        if (!int.TryParse(HostNetworking.ReadTrim(PidFile), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return 0;
        }

        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return cmdline.Length > 0 && Path.GetFileName(cmdline[0]) == "dnsmasq" && cmdline.Contains("--pid-file=" + PidFile, StringComparer.Ordinal) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Re-reads the static leases (hosts dir) after instance NICs changed.</summary>
    public void ReloadDnsmasq()
    {
        if (DnsmasqPid() is var pid and > 0)
        {
            NativeProcess.Kill(pid, NativeProcess.SIGHUP);
        }
    }

    /// <summary>A running dnsmasq is adopted (berthd restarts keep DHCP up) unless <paramref name="restart"/>.</summary>
    private async Task EnsureDnsmasqAsync(bool restart, CancellationToken cancellationToken)
    {
        var wanted = BridgeConfig.Address(config) is not null || BridgeConfig.IPv6Address(config) is not null;
        if (DnsmasqPid() > 0)
        {
            if (!restart && wanted)
            {
                return;
            }

            await StopDnsmasqAsync().ConfigureAwait(false);
        }

        if (!wanted)
        {
            return;
        }

        Directory.CreateDirectory(HostsDir);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(HostsDir, (UnixFileMode)0b111_101_101);
        var raw = Path.Combine(dir, "dnsmasq.raw");
        await File.WriteAllTextAsync(raw, (config.GetValueOrDefault("raw.dnsmasq") ?? "") + "\n", cancellationToken).ConfigureAwait(false);
        var (code, _, stderr) = await StorageTools.TryRunAsync("dnsmasq", DnsmasqArgs(raw), cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new ApiException(500, $"Failed to start dnsmasq for network \"{name}\": {stderr.Trim()}");
        }
    }

    public async Task StopDnsmasqAsync()
    {
        var pid = DnsmasqPid();
        if (pid <= 0)
        {
            return;
        }

        NativeProcess.Kill(pid, NativeProcess.SIGTERM);
        var deadline = DateTime.UtcNow + StopTimeout;
        while (Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        if (Directory.Exists($"/proc/{pid}"))
        {
            NativeProcess.Kill(pid, NativeProcess.SIGKILL);
        }

        File.Delete(PidFile);
    }

    /// <summary>LXD's dnsmasq command line for a bridge (it daemonises; startup errors are its exit status).</summary>
    private List<string> DnsmasqArgs(string rawFile)
    {
        var domain = BridgeConfig.Domain(config);
        var args = new List<string>
        {
            "--strict-order", "--bind-interfaces", "--pid-file=" + PidFile, "--except-interface=lo", "--no-ping",
            "--interface=" + name, "--dhcp-rapid-commit", "--quiet-dhcp", "--quiet-dhcp6", "--quiet-ra",
            "--dhcp-no-override", "--dhcp-authoritative", "--dhcp-leasefile=" + LeasesFile, "--dhcp-hostsfile=" + HostsDir,
            "--user=nobody", "--group=nogroup", "--conf-file=" + rawFile,
        };
        var expiry = config.GetValueOrDefault("ipv4.dhcp.expiry") is { Length: > 0 } e ? e : "1h";
        if (BridgeConfig.Address(config) is { } v4)
        {
            args.Add("--listen-address=" + v4.AddressText);
            if (BridgeConfig.IsTrue(config, "ipv4.dhcp", true))
            {
                var ranges = config.GetValueOrDefault("ipv4.dhcp.ranges") is { Length: > 0 } r
                    ? r.Split(',', StringSplitOptions.TrimEntries).Select(x => x.Replace('-', ','))
                    : [DefaultRange(v4)];
                args.AddRange(ranges.Select(x => $"--dhcp-range={x},{expiry}"));
                if (config.GetValueOrDefault("ipv4.dhcp.gateway") is { Length: > 0 } gateway)
                {
                    args.Add("--dhcp-option-force=3," + gateway);
                }

                if (config.GetValueOrDefault("bridge.mtu") is { Length: > 0 } mtu)
                {
                    args.Add("--dhcp-option-force=26," + mtu);
                }
            }
        }

        if (BridgeConfig.IPv6Address(config) is { } v6)
        {
            args.Add("--listen-address=" + v6[..v6.IndexOf('/', StringComparison.Ordinal)]);
            args.Add("--enable-ra");
            if (BridgeConfig.IsTrue(config, "ipv6.dhcp", true))
            {
                args.Add($"--dhcp-range=::,constructor:{name},ra-stateless,ra-names");
            }
            else
            {
                args.Add($"--dhcp-range=::,constructor:{name},ra-only");
            }
        }

        if (config.GetValueOrDefault("dns.mode") != "none")
        {
            args.Add("-s");
            args.Add(domain);
            args.Add($"--local=/{domain}/");
            args.Add($"--interface-name=_gateway.{domain},{name}");
        }
        else
        {
            args.Add("--port=0");
        }

        return args;
    }

    /// <summary>All of the subnet but the network and broadcast addresses and the bridge's own, as LXD.</summary>
    private static string DefaultRange(IPv4Net v4)
    {
        var first = v4.First + 1;
        var last = v4.Last - 1;
        if (v4.Address == first)
        {
            first++;
        }
        else if (v4.Address == last)
        {
            last--;
        }

        return IPv4Net.Format(first) + "," + IPv4Net.Format(last);
    }
}
