namespace Berth.System.Tests;

/// <summary>
/// Removes what a test daemon's managed networks left on the host (its dnsmasq, nft table and bridge), found from its
/// own data dir, so a test that ends with networks in place (init --auto) leaves nothing behind.
/// </summary>
internal static class NetworkCleanup
{
    public static async Task RemoveUnderAsync(string dataDir)
    {
        var root = Path.Combine(dataDir, "networks");
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var dir in Directory.GetDirectories(root))
        {
            var name = Path.GetFileName(dir);
            if (DnsmasqPid(dir) is var pid and > 0)
            {
                await ProcessRunner.RunAsync("kill", [pid.ToString(global::System.Globalization.CultureInfo.InvariantCulture)]);
            }

            await ProcessRunner.RunAsync("nft", ["delete", "table", "inet", "berth-" + name]);
            if (Directory.Exists(Path.Combine("/sys/class/net", name)))
            {
                await ProcessRunner.RunAsync("ip", ["link", "del", "dev", name]);
            }
        }
    }

    /// <summary>The pid in the network's pid file, if that process is the dnsmasq started with that pid file.</summary>
    public static int DnsmasqPid(string networkDir)
    {
        var pidFile = Path.Combine(networkDir, "dnsmasq.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            return 0;
        }

        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("--pid-file=" + pidFile, StringComparison.Ordinal) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
