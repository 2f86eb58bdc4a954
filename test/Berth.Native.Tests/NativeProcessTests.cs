using System.Text;

namespace Berth.Native.Tests;

/// <summary>posix_spawn, pidfd waits, fd mapping and ptys on the host (no container needed).</summary>
public class NativeProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Spawn_MapsPipes_ReturnsExitCodeAndOutput()
    {
        NativeRequirements.RequireHelper();
        var (outRead, outWrite) = Pipe.Create();
        var (errRead, errWrite) = Pipe.Create();
        NativeProcess p;
        using (outWrite)
        using (errWrite)
        {
            p = NativeProcess.Spawn("/bin/sh", ["sh", "-c", "echo out; echo err >&2; exit 3"], ["PATH=/bin"], [null, outWrite, errWrite]);
        }

        using (p)
        using (var o = new StreamReader(new FdStream(outRead, canWrite: false)))
        using (var e = new StreamReader(new FdStream(errRead, canWrite: false)))
        {
            Assert.Equal("out\n", await o.ReadToEndAsync(Ct));
            Assert.Equal("err\n", await e.ReadToEndAsync(Ct));
            var exit = await p.WaitForExitAsync(Ct);
            Assert.Equal(3, exit.ExitCode);
            Assert.Equal(3, exit.Code);
        }
    }

    [Fact]
    public async Task Spawn_OnlyMappedFdsReachTheChild()
    {
        NativeRequirements.RequireHelper();
        var (outRead, outWrite) = Pipe.Create();
        var (extraRead, extraWrite) = Pipe.Create();
        using var extraR = extraRead;
        using var extraW = extraWrite;
        NativeProcess p;
        using (outWrite)
        {
            // Child fds: 0 /dev/null, 1 pipe, 3 the status pipe's write end; nothing else.
            p = NativeProcess.Spawn("/bin/sh", ["sh", "-c", "ls /proc/self/fd; echo hi >&3"], null, [null, outWrite, null, extraWrite]);
        }

        using (p)
        using (var o = new StreamReader(new FdStream(outRead, canWrite: false)))
        {
            var fds = (await o.ReadToEndAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(0, (await p.WaitForExitAsync(Ct)).ExitCode);

            // ls itself opens one directory fd.
            Assert.Subset(new HashSet<string> { "0", "1", "2", "3", "4" }, fds.ToHashSet());
        }

        extraW.Dispose();
        using var extra = new StreamReader(new FdStream(extraR, canWrite: false));
        Assert.Equal("hi\n", await extra.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Kill_Signal_ReportsSignalAndShellCode()
    {
        NativeRequirements.RequireHelper();
        using var p = NativeProcess.Spawn("/bin/sleep", ["sleep", "30"], ["PATH=/bin"], []);
        p.Kill(NativeProcess.SIGTERM);
        var exit = await p.WaitForExitAsync(Ct);
        Assert.Null(exit.ExitCode);
        Assert.Equal(15, exit.Signal);
        Assert.Equal(143, exit.Code);

        // Reaped: killing again is a no-op, not an error.
        p.Kill(NativeProcess.SIGTERM);
    }

    [Fact]
    public async Task Spawn_ResetsIgnoredSigpipe()
    {
        NativeRequirements.RequireHelper();
        var (outRead, outWrite) = Pipe.Create();
        NativeProcess p;
        using (outWrite)
        {
            p = NativeProcess.Spawn("/bin/sh", ["sh", "-c", "grep SigIgn /proc/self/status"], ["PATH=/bin:/usr/bin"], [null, outWrite]);
        }

        using (p)
        using (var o = new StreamReader(new FdStream(outRead, canWrite: false)))
        {
            var line = await o.ReadToEndAsync(Ct);
            await p.WaitForExitAsync(Ct);

            // bit 13 = SIGPIPE (.NET ignores it in its own process).
            var ignored = Convert.ToUInt64(line.Split(':')[1].Trim(), 16);
            Assert.Equal(0UL, ignored & (1UL << 12));
        }
    }

    [Fact]
    public async Task HostPty_ControllingTty_SizeAndSessionLeader()
    {
        NativeRequirements.RequireHelper();
        using var pty = ContainerPty.OpenOnHost();
        pty.SetWindowSize(100, 30);
        using var p = NativeProcess.Spawn(
            "/bin/sh", ["sh", "-c", "stty size; tty; cat /proc/self/stat | cut -d' ' -f6,7 ; exit 7"],
            ["PATH=/bin:/usr/bin"], [pty.Slave, pty.Slave, pty.Slave], controllingTty: true);
        pty.CloseSlave();
        using var master = pty.OpenMasterStream();
        var text = await new StreamReader(master).ReadToEndAsync(Ct);
        var exit = await p.WaitForExitAsync(Ct);
        Assert.Equal(7, exit.ExitCode);
        Assert.Contains("30 100", text, StringComparison.Ordinal);
        Assert.Matches(@"/dev/pts/\d+", text);

        // /proc/self/stat field 7 (tty_nr) is non-zero only with a controlling terminal.
        var fields = text.Split('\n', StringSplitOptions.TrimEntries).Last(l => l.Length > 0).Split(' ');
        Assert.NotEqual("0", fields[1]);
    }

    [Fact]
    public async Task FdStream_Dispose_UnblocksPendingRead()
    {
        NativeRequirements.RequireHelper();
        var (read, write) = Pipe.Create();
        using var w = write;
        var stream = new FdStream(read, canWrite: false);
        var buffer = new byte[16];
        var pending = stream.ReadAsync(buffer, Ct).AsTask();
        await Task.Delay(100, Ct);
        Assert.False(pending.IsCompleted);
        await stream.DisposeAsync();
        var n = await pending.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(0, n);
    }

    [Fact]
    public async Task FdStream_LargeWrite_ToSlowReader_Completes()
    {
        NativeRequirements.RequireHelper();
        var (read, write) = Pipe.Create();
        using var reader = new FdStream(read, canWrite: false);
        using var writer = new FdStream(write, canRead: false);
        var data = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
        var writeTask = writer.WriteAsync(data, Ct).AsTask();
        var total = 0;
        var buffer = new byte[65536];
        while (total < data.Length)
        {
            total += await reader.ReadAsync(buffer, Ct);
        }

        await writeTask;
        Assert.Equal(data.Length, total);
    }

    [Fact]
    public void CgroupLayout_Detect_MatchesMounts()
    {
        var layout = CgroupLayoutDetector.Detect();
        if (Directory.Exists("/sys/fs/cgroup/memory") && File.Exists("/sys/fs/cgroup/unified/cgroup.procs"))
        {
            Assert.Equal(CgroupLayout.Hybrid, layout);
        }
        else if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            Assert.Equal(CgroupLayout.Unified, layout);
        }

        Assert.Equal(CgroupLayout.Unified, CgroupLayoutDetector.Detect(
            ["35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"]));
        Assert.Equal(CgroupLayout.Hybrid, CgroupLayoutDetector.Detect(
        [
            "36 35 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
            "37 35 0:32 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw",
        ]));
        Assert.Equal(CgroupLayout.Legacy, CgroupLayoutDetector.Detect(["36 35 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory"]));
    }
}
