using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.System.Tests;

/// <summary>
/// limits.* through Debian's lxc on real unprivileged busybox containers, checked the way a user would: lxcfs's
/// /proc files and nproc inside, fork failures past limits.processes, and the host's cgroup files.
/// Busybox's <c>free</c> reads sysinfo(2), which lxcfs cannot virtualise, so memory is read from /proc/meminfo.
/// </summary>
public sealed partial class LimitsTests : IAsyncLifetime
{
    private readonly string _prefix = "l" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/bin/lxcfs"), "lxcfs is not installed");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Launch_MemoryAndCpuLimits_ShowInside()
    {
        var name = _prefix + "-a";
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-c", "limits.memory=128MiB", "-c", "limits.cpu=1");
        Assert.True(launch.ExitCode == 0, launch + _berthd.Log());

        Assert.Equal(128 * 1024, await MemTotalKb(name));
        Assert.Equal("1", (await _berthd.LxcAsync("exec", name, "--", "nproc")).Stdout.Trim());
        Assert.Equal("1", (await _berthd.LxcAsync("exec", name, "--", "grep", "-c", "processor", "/proc/cpuinfo")).Stdout.Trim());
        var uptime = double.Parse((await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/uptime")).Stdout.Split(' ')[0], CultureInfo.InvariantCulture);
        var hostUptime = double.Parse((await File.ReadAllTextAsync("/proc/uptime", TestContext.Current.CancellationToken)).Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.True(uptime < 60 && uptime < hostUptime, $"uptime inside {uptime}s, host {hostUptime}s: lxcfs's uptime is the container's");
    }

    [Fact]
    public async Task ConfigSet_OnRunning_AppliesAtOnce_AndUnsetRemoves()
    {
        var name = _prefix + "-b";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name, "-c", "limits.memory=128MiB")).ExitCode);

        var set = await _berthd.LxcAsync("config", "set", name, "limits.memory", "256MiB");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal(256 * 1024, await MemTotalKb(name));

        Assert.Equal(0, (await _berthd.LxcAsync("config", "unset", name, "limits.memory")).ExitCode);
        Assert.True(await MemTotalKb(name) > 256 * 1024, "unsetting limits.memory restores the host's memory");

        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", name, "limits.cpu.allowance", "25ms/100ms")).ExitCode);
        var quota = await HostCgroupValue(name, "cpu", "cpu.cfs_quota_us", "cpu.max");
        Assert.True(quota is "25000" or "25000 100000", $"cpu quota is {quota}");
    }

    [Fact]
    public async Task InvalidValue_Fails_AndChangesNothing()
    {
        var name = _prefix + "-c";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name, "-c", "limits.memory=128MiB")).ExitCode);

        var bad = await _berthd.LxcAsync("config", "set", name, "limits.memory", "abc");
        var badRaw = await _berthd.LxcAsync("config", "set", name, "raw.lxc", "this is not a key value line");

        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Invalid config: Invalid value: abc", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, badRaw.ExitCode);
        Assert.Equal("128MiB", (await _berthd.LxcAsync("config", "get", name, "limits.memory")).Stdout.Trim());
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", name, "raw.lxc")).Stdout.Trim());
        Assert.Equal(128 * 1024, await MemTotalKb(name));
        var launchBad = await _berthd.LxcAsync("launch", "busybox", name + "x", "-c", "limits.memory=abc");
        Assert.Equal(1, launchBad.ExitCode);
    }

    [Fact]
    public async Task Processes_CapsForks()
    {
        var name = _prefix + "-d";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name)).ExitCode);
        const string forks = "i=0; ok=0; while [ $i -lt 30 ]; do sleep 2 & [ $? -eq 0 ] && ok=$((ok+1)); i=$((i+1)); done; echo started=$ok";

        var unlimited = await _berthd.LxcAsync("exec", name, "--", "sh", "-c", forks);
        Assert.Contains("started=30", unlimited.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", name, "limits.processes", "10")).ExitCode);
        await Task.Delay(2500, TestContext.Current.CancellationToken);
        var limited = await _berthd.LxcAsync("exec", name, "--", "sh", "-c", forks);

        Assert.Contains("can't fork", limited.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("started=30", limited.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileChange_ReachesRunningInstances()
    {
        var name = _prefix + "-e";
        var profile = _prefix + "-p";
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "create", profile)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "set", profile, "limits.memory", "200MiB")).ExitCode);
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-p", "default", "-p", profile);
        Assert.True(launch.ExitCode == 0, launch.ToString());
        Assert.Equal(200 * 1024, await MemTotalKb(name));

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "set", profile, "limits.memory", "300MiB")).ExitCode);

        Assert.Equal(300 * 1024, await MemTotalKb(name));
    }

    [Fact]
    public async Task KernelLimitsSysctlEnvironmentAndRawLxc_ReachTheContainer()
    {
        var name = _prefix + "-f";
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-c", "limits.kernel.nofile=200", "-c", "environment.GREETING=hello",
            "-c", "linux.sysctl.net.ipv4.ip_forward=1", "-c", "raw.lxc=lxc.environment = RAWKEY=rawvalue");
        Assert.True(launch.ExitCode == 0, launch + _berthd.Log());

        var limits = (await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/1/limits")).Stdout;
        Assert.Matches(@"Max open files\s+200\s+200", limits);
        Assert.Equal("hello", (await _berthd.LxcAsync("exec", name, "--", "sh", "-c", "echo $GREETING")).Stdout.Trim());
        Assert.Equal("1", (await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/sys/net/ipv4/ip_forward")).Stdout.Trim());
        var environ = (await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/1/environ")).Stdout;
        Assert.Contains("RAWKEY=rawvalue", environ, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxcfs_IsMounted_AndKeepsServingAcrossABerthdRestart()
    {
        var name = _prefix + "-g";
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name, "-c", "limits.memory=128MiB")).ExitCode);
        Assert.True(LxcfsMounted(), "no fuse.lxcfs mount at /var/lib/lxcfs after a launch");
        var before = LxcfsPids();
        Assert.NotEmpty(before);

        Assert.True(await _berthd.TerminateAsync(TimeSpan.FromSeconds(15)), "berthd did not exit on SIGTERM");
        Assert.True(LxcfsMounted(), "lxcfs went away with berthd");
        Assert.Equal(before, LxcfsPids());
        await _berthd.StartAgainAsync();
        Assert.Equal(128 * 1024, await MemTotalKb(name));
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "busybox", name + "2", "-c", "limits.memory=64MiB")).ExitCode);

        Assert.Equal(64 * 1024, await MemTotalKb(name + "2"));
        Assert.Equal(before, LxcfsPids());
    }

    private static bool LxcfsMounted() =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == "/var/lib/lxcfs" && l.Contains(" - fuse.lxcfs ", StringComparison.Ordinal));

    /// <summary>The lxcfs processes serving /var/lib/lxcfs (LXD's, an earlier berthd's or this one's).</summary>
    private static List<int> LxcfsPids() =>
        [.. Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Cmdline(pid) is [var exe, .., "/var/lib/lxcfs"] && Path.GetFileName(exe) == "lxcfs")
            .Order()];

    private static string[] Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0');
        }
        catch (IOException)
        {
            return [];
        }
    }

    private async Task<long> MemTotalKb(string name)
    {
        var meminfo = await _berthd.LxcAsync("exec", name, "--", "cat", "/proc/meminfo");
        var match = MemTotalPattern().Match(meminfo.Stdout);
        Assert.True(match.Success, meminfo.ToString());
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>A cgroup file of the container's init on the host: v1 under the controller's hierarchy, else v2.</summary>
    private async Task<string> HostCgroupValue(string name, string controller, string v1File, string v2File)
    {
        var state = (await _berthd.LxcAsync("query", $"/1.0/instances/{name}/state")).Stdout;
        var pid = PidPattern().Match(state).Groups[1].Value;
        foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/cgroup", TestContext.Current.CancellationToken))
        {
            var fields = line.Split(':', 3);
            if (fields[1].Split(',').Contains(controller))
            {
                var dir = Directory.GetDirectories("/sys/fs/cgroup").First(d => Path.GetFileName(d).Split(',').Contains(controller) && File.Exists(Path.Combine(d + fields[2], v1File)));
                return (await File.ReadAllTextAsync(Path.Combine(dir + fields[2], v1File), TestContext.Current.CancellationToken)).Trim();
            }
        }

        var v2 = (await File.ReadAllLinesAsync($"/proc/{pid}/cgroup", TestContext.Current.CancellationToken)).First(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
        return (await File.ReadAllTextAsync($"/sys/fs/cgroup{v2}/{v2File}", TestContext.Current.CancellationToken)).Trim();
    }

    [GeneratedRegex(@"MemTotal:\s+(\d+) kB")]
    private static partial Regex MemTotalPattern();

    [GeneratedRegex("\"pid\":\\s*(\\d+)")]
    private static partial Regex PidPattern();
}
