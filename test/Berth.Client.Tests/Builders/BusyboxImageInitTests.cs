using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Berth.Client.Builders;

namespace Berth.Client.Tests.Builders;

/// <summary>
/// The busybox image's start script and udhcpc hook, run by the host's busybox sh with <c>-x</c> on an interface that
/// does not exist (so its <c>ip</c> calls change nothing) and with /run, /sys and resolv.conf redirected to a temp dir:
/// DHCP starts before the rest of the start script, and the hook runs <c>ip</c> only when something changes.
/// </summary>
public sealed class BusyboxImageInitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-bbinit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void StartScript_StartsDhcpInTheBackgroundBeforeTheRest_IgnoringHangup()
    {
        Assert.SkipUnless(File.Exists(BusyboxImageBuilder.DefaultBusybox), "busybox-static is not installed");
        var rcs = Extract("rootfs/etc/init.d/rcS").Split('\n');
        var udhcpc = Array.FindIndex(rcs, l => l.TrimStart().StartsWith("udhcpc ", StringComparison.Ordinal));
        Assert.True(udhcpc > 0);
        Assert.EndsWith("&", rcs[udhcpc].Trim(), StringComparison.Ordinal);
        Assert.True(Array.FindIndex(rcs, l => l.Contains("trap '' HUP", StringComparison.Ordinal)) is var trap && trap >= 0 && trap < udhcpc);
        Assert.True(Array.FindIndex(rcs, l => l.Contains("hostname -F", StringComparison.Ordinal)) > udhcpc);
        Assert.True(Array.FindIndex(rcs, l => l.Contains("tmpfs /tmp", StringComparison.Ordinal)) > udhcpc);
    }

    [Fact]
    public void DhcpHook_RunsIpOnlyWhenTheLeaseChanges()
    {
        Assert.SkipUnless(File.Exists(BusyboxImageBuilder.DefaultBusybox), "busybox-static is not installed");
        var script = Path.Combine(_dir, "default.script");
        File.WriteAllText(script, Extract("rootfs/usr/share/udhcpc/default.script")
            .Replace("/run/", _dir + "/", StringComparison.Ordinal)
            .Replace("/sys/class/net/$interface/flags", _dir + "/flags", StringComparison.Ordinal)
            .Replace("/etc/resolv.conf", _dir + "/resolv.conf", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir, "flags"), "0x1003\n"); // IFF_UP set, as liblxc leaves eth0

        Assert.Empty(IpCalls(script, "deconfig", "10.9.8.7"));
        Assert.Equal(["ip -4 addr add 10.9.8.7/24 dev berthnoif0", "ip -4 route replace default via 10.9.8.1 dev berthnoif0"], IpCalls(script, "bound", "10.9.8.7"));
        Assert.Equal("search lxd\nnameserver 10.9.8.1\n", File.ReadAllText(Path.Combine(_dir, "resolv.conf")));
        Assert.Equal(["ip -4 route replace default via 10.9.8.1 dev berthnoif0"], IpCalls(script, "renew", "10.9.8.7"));
        Assert.Equal(["ip -4 addr flush dev berthnoif0", "ip -4 addr add 10.9.8.6/24 dev berthnoif0", "ip -4 route replace default via 10.9.8.1 dev berthnoif0"],
            IpCalls(script, "renew", "10.9.8.6"));
        File.WriteAllText(Path.Combine(_dir, "flags"), "0x1002\n");
        Assert.Equal(["ip -4 addr flush dev berthnoif0", "ip link set berthnoif0 up"], IpCalls(script, "deconfig", "10.9.8.6"));
    }

    private List<string> IpCalls(string script, string action, string ip)
    {
        var start = new ProcessStartInfo(BusyboxImageBuilder.DefaultBusybox, ["sh", "-x", script, action]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (key, value) in new Dictionary<string, string> { ["interface"] = "berthnoif0", ["ip"] = ip, ["mask"] = "24", ["router"] = "10.9.8.1", ["dns"] = "10.9.8.1", ["domain"] = "lxd" })
        {
            start.Environment[key] = value;
        }

        using var sh = Process.Start(start)!;
        var trace = sh.StandardError.ReadToEnd();
        sh.StandardOutput.ReadToEnd();
        Assert.True(sh.WaitForExit(10_000));
        Assert.Equal(0, sh.ExitCode);
        return [.. trace.Split('\n').Where(l => l.StartsWith("+ ip ", StringComparison.Ordinal)).Select(l => l[2..])];
    }

    private string Extract(string name)
    {
        var image = Path.Combine(_dir, "busybox.tar.gz");
        if (!File.Exists(image))
        {
            BusyboxImageBuilder.Build(image);
        }

        using var tar = new TarReader(new GZipStream(File.OpenRead(image), CompressionMode.Decompress));
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name == name && entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data);
                return reader.ReadToEnd();
            }
        }

        throw new FileNotFoundException(name);
    }
}
