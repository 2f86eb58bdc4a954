using System.Text.RegularExpressions;

namespace Berth.System.Tests;

/// <summary>Real unprivileged busybox containers through Debian's lxc, berth and pylxd.</summary>
public sealed partial class InstancesTests : IAsyncLifetime
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
    public async Task Lxc_LaunchExecListStopDelete()
    {
        var launch = await _berthd.LxcAsync("launch", "busybox", "c1");
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());

        Assert.Equal("c1,RUNNING,,,CONTAINER,0\n", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
        var exec = await _berthd.LxcAsync("exec", "c1", "--", "sh", "-c", "cat /etc/hostname; echo oops >&2; exit 3");
        Assert.Equal((3, "c1\n", "oops\n"), (exec.ExitCode, exec.Stdout, exec.Stderr));
        Assert.Equal("hello\n", (await _berthd.LxcStdinAsync("hello\n", "exec", "c1", "--", "cat")).Stdout);

        var delete = await _berthd.LxcAsync("delete", "c1");
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains("running", delete.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await _berthd.LxcAsync("stop", "c1", "--force")).ExitCode);
        Assert.Equal("c1,STOPPED,,,CONTAINER,0\n", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
        var stoppedExec = await _berthd.LxcAsync("exec", "c1", "--", "true");
        Assert.NotEqual(0, stoppedExec.ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("delete", "c1")).ExitCode);
        Assert.Equal("", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
        Assert.False(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", "default", "containers", "c1")));
    }

    [Fact]
    public async Task Unprivileged_RootInsideIsAHighUidOnTheHost()
    {
        await _berthd.LxcAsync("launch", "busybox", "u1");

        var id = await _berthd.LxcAsync("exec", "u1", "--", "id", "-u");
        var uidMap = await _berthd.LxcAsync("exec", "u1", "--", "cat", "/proc/self/uid_map");
        var state = await _berthd.LxcAsync("query", "/1.0/instances/u1/state");
        var pid = PidPattern().Match(state.Stdout).Groups[1].Value;
        var hostUid = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];

        Assert.Equal("0\n", id.Stdout);
        Assert.Matches(@"^\s*0\s+\d{5,}\s+\d+\s*$", uidMap.Stdout);
        Assert.True(long.Parse(hostUid) >= 65536, $"container root is host uid {hostUid}");
    }

    [Fact]
    public async Task Daemon_WatchesNoFilesInContainers()
    {
        // A container writing files must not cost berthd anything: no inotify watch on its rootfs or data dir.
        await _berthd.LxcAsync("launch", "busybox", "w1");
        var exec = await _berthd.LxcAsync("exec", "w1", "--", "sh", "-c", "mkdir -p /a/b/c && touch /a/b/c/f");
        Assert.Equal(0, exec.ExitCode);

        var watches = Directory.GetFiles($"/proc/{_berthd.Pid}/fdinfo")
            .SelectMany(File.ReadLines)
            .Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
        Assert.Equal(0, watches);
    }

    [Fact]
    public async Task PauseResumeAndRestart()
    {
        await _berthd.LxcAsync("launch", "busybox", "p1");

        Assert.Equal(0, (await _berthd.LxcAsync("pause", "p1")).ExitCode);
        Assert.Equal("p1,FROZEN,,,CONTAINER,0\n", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
        Assert.Equal(0, (await _berthd.LxcAsync("start", "p1")).ExitCode);
        Assert.Equal("p1,RUNNING,,,CONTAINER,0\n", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
        Assert.Equal(0, (await _berthd.LxcAsync("restart", "p1", "--force")).ExitCode);
        Assert.Equal("p1\n", (await _berthd.LxcAsync("exec", "p1", "--", "hostname")).Stdout);
    }

    [Fact]
    public async Task DaemonRestart_LeavesContainersRunningWithTheSamePid()
    {
        await _berthd.LxcAsync("launch", "busybox", "r1");
        var before = PidPattern().Match((await _berthd.LxcAsync("query", "/1.0/instances/r1/state")).Stdout).Groups[1].Value;

        Assert.True(await _berthd.TerminateAsync(TimeSpan.FromSeconds(15)), "berthd did not exit on SIGTERM");
        Assert.True(Directory.Exists($"/proc/{before}"), "the container's init died with berthd");
        await _berthd.StartAgainAsync();

        var after = PidPattern().Match((await _berthd.LxcAsync("query", "/1.0/instances/r1/state")).Stdout).Groups[1].Value;
        Assert.Equal(before, after);
        Assert.Equal("r1\n", (await _berthd.LxcAsync("exec", "r1", "--", "hostname")).Stdout);
        Assert.Equal(0, (await _berthd.LxcAsync("stop", "r1", "-f")).ExitCode);
    }

    [Fact]
    public async Task Berth_LaunchExecListDelete()
    {
        Assert.Equal(0, (await _berthd.BerthAsync("launch", "busybox", "b1")).ExitCode);

        var exec = await _berthd.BerthAsync("exec", "b1", "--", "sh", "-c", "echo from-berth; exit 5");
        Assert.Equal((5, "from-berth\n"), (exec.ExitCode, exec.Stdout));
        Assert.Equal("b1,RUNNING,,,CONTAINER,0\n", (await _berthd.BerthAsync("list", "--format", "csv")).Stdout);
        Assert.Equal(1, (await _berthd.BerthAsync("delete", "b1")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("delete", "-f", "b1")).ExitCode);
        Assert.Equal("", (await _berthd.BerthAsync("list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task Berth_ExecUnderATerminal_AndFileEdit()
    {
        Assert.Equal(0, (await _berthd.BerthAsync("launch", "busybox", "t1")).ExitCode);
        var berth = Path.Combine(_berthd.Bin, "berth");

        // Inside script(1) stdin and stdout are a terminal, so berth picks a pty by itself, as lxc does; what is
        // typed reaches a shell whose stdin is a terminal and its exit code comes back.
        var typed = await ProcessRunner.RunAsync("script", ["-qec", $"{berth} exec t1 -- sh -c '[ -t 0 ] && tty; read l; echo got-$l; exit 7'", "/dev/null"], _berthd.Env, "hello\n");
        Assert.True(typed.ExitCode == 7, typed.ToString());
        Assert.Matches(@"/dev/pts/\d+", typed.Stdout);
        Assert.Contains("got-hello", typed.Stdout, StringComparison.Ordinal);

        // -t forces a pty without a local terminal; -T refuses one under a terminal.
        var forced = await _berthd.BerthAsync("exec", "t1", "-t", "--", "sh", "-c", "[ -t 1 ] && echo tty-out");
        Assert.Equal((0, "tty-out\r\n"), (forced.ExitCode, forced.Stdout));
        var refused = await ProcessRunner.RunAsync("script", ["-qec", $"{berth} exec t1 -T -- sh -c '[ -t 0 ] || echo no-tty'", "/dev/null"], _berthd.Env);
        Assert.Contains("no-tty", refused.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await _berthd.BerthAsync("exec", "t1", "-t", "-T", "--", "true")).ExitCode);

        // file edit with piped input replaces the content (lxc's behaviour without a terminal).
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "t1", "--", "sh", "-c", "echo old > /root/notes")).ExitCode);
        var edit = await _berthd.BerthStdinAsync("new content\n", "file", "edit", "t1/root/notes");
        Assert.True(edit.ExitCode == 0, edit.ToString());
        Assert.Equal("new content\n", (await _berthd.LxcAsync("exec", "t1", "--", "cat", "/root/notes")).Stdout);
        Assert.Equal(1, (await _berthd.BerthStdinAsync("x", "file", "edit", "t1")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("delete", "-f", "t1")).ExitCode);
    }

    [Fact]
    public async Task BadInput_IsRefusedAndCreatesNothing()
    {
        var badName = await _berthd.LxcAsync("launch", "busybox", "9bad_name");
        var missingImage = await _berthd.LxcAsync("launch", "no-such-image", "x1");
        var badConfig = await _berthd.LxcAsync("launch", "busybox", "x2", "-c", "limits.memory=banana");
        await _berthd.LxcAsync("init", "busybox", "dup");
        var duplicate = await _berthd.LxcAsync("init", "busybox", "dup");

        Assert.Equal(1, badName.ExitCode);
        Assert.Equal(1, missingImage.ExitCode);
        Assert.Equal(1, badConfig.ExitCode);
        Assert.Contains("limits.memory", badConfig.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Stderr, StringComparison.Ordinal);
        Assert.Equal("dup,STOPPED,,,CONTAINER,0\n", (await _berthd.LxcAsync("list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task Pylxd_LegacyContainersApi()
    {
        const string script = """
            import pylxd
            client = pylxd.Client()
            c = client.containers.create({'name': 'py1', 'source': {'type': 'image', 'alias': 'busybox'}}, wait=True)
            c.start(wait=True)
            result = c.execute(['sh', '-c', 'echo hi; exit 2'])
            print(result.exit_code, result.stdout.strip(), client.containers.get('py1').status)
            c.stop(force=True, wait=True)
            c.delete(wait=True)
            print(len(client.containers.all()))
            """;

        var result = await _berthd.PythonAsync(script);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("2 hi Running\n0\n", result.Stdout);
    }

    [GeneratedRegex("\"pid\":\\s*(\\d+)")]
    private static partial Regex PidPattern();
}
