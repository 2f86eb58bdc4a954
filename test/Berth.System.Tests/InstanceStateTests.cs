using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>
/// A running container's state (pid, processes, memory, cpu, network) through Debian's lxc, as the single state and
/// in the recursion=2 list, across restarts: berthd keeps a running container's /proc and cgroup files open, and
/// must read the new container's after a restart and keep nothing open once it stops.
/// </summary>
public sealed class InstanceStateTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/share/lxc/config/common.conf") || File.Exists("/usr/bin/lxc-start"), "lxc is not installed");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task State_AcrossRestartStopAndStart_IsTheCurrentContainers()
    {
        var launch = await _berthd.LxcAsync("launch", "busybox", "st1");
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());

        var first = await AssertRunningStateAsync("st1");
        Assert.NotEmpty(OpenCgroupFiles("st1"));

        Assert.Equal(0, (await _berthd.LxcAsync("restart", "st1", "--force")).ExitCode);
        var second = await AssertRunningStateAsync("st1");
        Assert.NotEqual(first, second);

        Assert.Equal(0, (await _berthd.LxcAsync("stop", "st1", "--force")).ExitCode);
        using (var stopped = await QueryAsync("/1.0/instances/st1/state"))
        {
            Assert.Equal("Stopped", stopped.RootElement.GetProperty("status").GetString());
        }

        Assert.Empty(OpenCgroupFiles("st1"));

        Assert.Equal(0, (await _berthd.LxcAsync("start", "st1")).ExitCode);
        var third = await AssertRunningStateAsync("st1");
        Assert.NotEqual(second, third);
        Assert.Equal(0, (await _berthd.LxcAsync("delete", "st1", "--force")).ExitCode);
        Assert.Empty(OpenCgroupFiles("st1"));
    }

    /// <summary>Checks the state as /state and in the recursion=2 list against the host's view; returns the init pid.</summary>
    private async Task<int> AssertRunningStateAsync(string name)
    {
        using var single = await QueryAsync($"/1.0/instances/{name}/state");
        using var list = await QueryAsync("/1.0/instances?recursion=2");
        var listed = list.RootElement.EnumerateArray().Single(i => i.GetProperty("name").GetString() == name).GetProperty("state");
        var pid = single.RootElement.GetProperty("pid").GetInt32();
        var pidsFile = CgroupFile(pid, "pids", "pids.current");
        foreach (var state in new[] { single.RootElement, listed })
        {
            Assert.Equal("Running", state.GetProperty("status").GetString());
            Assert.Equal(pid, state.GetProperty("pid").GetInt32());
            Assert.Equal(long.Parse(File.ReadAllText(pidsFile).Trim()), state.GetProperty("processes").GetInt64());
            Assert.True(state.GetProperty("memory").GetProperty("usage").GetInt64() > 0, state.ToString());
            Assert.True(state.GetProperty("cpu").GetProperty("usage").GetInt64() > 0, state.ToString());
            var lo = state.GetProperty("network").GetProperty("lo");
            Assert.Contains(lo.GetProperty("addresses").EnumerateArray(), a => a.GetProperty("address").GetString() == "127.0.0.1");
        }

        return pid;
    }

    private async Task<JsonDocument> QueryAsync(string path)
    {
        var query = await _berthd.LxcAsync("query", path);
        Assert.True(query.ExitCode == 0, query.ToString());
        return JsonDocument.Parse(query.Stdout);
    }

    /// <summary>The host path of <paramref name="file"/> in the cgroup of <paramref name="pid"/> (v1 controller or v2).</summary>
    private static string CgroupFile(int pid, string controller, string file)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            var v1 = parts[1].Split(',').Contains(controller);
            var path = parts[2];
            var at = path.IndexOf("/lxc.payload.", StringComparison.Ordinal);
            var end = at < 0 ? -1 : path.IndexOf('/', at + 1);
            path = end < 0 ? path : path[..end];
            var candidate = v1 ? $"/sys/fs/cgroup/{controller}{path}/{file}" : parts[1].Length == 0 ? $"/sys/fs/cgroup{path}/{file}" : null;
            if (candidate is not null && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"no {file} for pid {pid}");
    }

    /// <summary>berthd's open files inside the container's cgroups.</summary>
    private List<string> OpenCgroupFiles(string name) =>
        [.. Directory.GetFiles($"/proc/{_berthd.Pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "")
            .Where(target => target.Contains($"/lxc.payload.{name}/", StringComparison.Ordinal))];
}
