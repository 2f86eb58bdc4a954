namespace Berth.Native.Tests;

/// <summary>berth-fork serve: the commands berthd runs through it, its restart and the direct-spawn fallback.</summary>
public class ForkServerTests(RunningContainerFixture fixture) : IClassFixture<RunningContainerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestContainer Container
    {
        get
        {
            NativeRequirements.RequireContainers();
            return fixture.Container;
        }
    }

    [Fact]
    public async Task Exec_ManyAtOnce_EachGetsItsOwnStreamsAndExitCode()
    {
        var c = Container;
        var runs = Enumerable.Range(0, 8).Select(i => c.ExecAsync(["sh", "-c", $"echo out{i}; echo err{i} >&2; exit {i}"])).ToList();
        var results = await Task.WhenAll(runs);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i, results[i].Exit.ExitCode);
            Assert.Equal($"out{i}\n", results[i].Stdout);
            Assert.Equal($"err{i}\n", results[i].Stderr);
        }
    }

    [Fact]
    public async Task Server_KilledBetweenRequests_NextRequestStartsANewOne()
    {
        var c = Container;
        Assert.Equal("before\n", (await c.ExecAsync(["echo", "before"])).Stdout);
        var old = ForkServer.Current.ProcessId;
        using (var process = System.Diagnostics.Process.GetProcessById(old))
        {
            process.Kill();
            await process.WaitForExitAsync(Ct);
        }

        var (exit, stdout, _) = await c.ExecAsync(["echo", "after"]);
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("after\n", stdout);
        Assert.NotEqual(old, ForkServer.Current.ProcessId);
    }

    [Fact]
    public async Task Exec_RequestLargerThanADatagram_RunsThroughItsOwnProcess()
    {
        var c = Container;
        // Three variables of 70 kB: over a datagram in all, each under the kernel's 128 kB limit for one argument.
        var big = new string('x', 70 * 1024);
        var (outRead, outWrite) = Pipe.Create();
        ForkExec exec;
        using (outWrite)
        {
            exec = BerthFork.Exec(c.LxcPath, c.Name, new ExecOptions
            {
                Command = ["sh", "-c", "echo $((${#A} + ${#B} + ${#C}))"],
                Environment = new Dictionary<string, string> { ["PATH"] = "/bin", ["A"] = big, ["B"] = big, ["C"] = big },
            }, null, outWrite, null);
        }

        using (exec)
        using (var reader = new StreamReader(new FdStream(outRead, canWrite: false)))
        {
            Assert.True(3 * big.Length > ForkServer.MaxRequestBytes);
            Assert.Equal($"{3 * big.Length}\n", await reader.ReadToEndAsync(Ct));
            Assert.Equal(0, (await exec.WaitForExitAsync(Ct)).ExitCode);
        }
    }

    [Fact]
    public async Task Exec_StoppedContainerName_FailsAsAttachFailure()
    {
        var c = Container;
        using var exec = BerthFork.Exec(c.LxcPath, c.Name + "-missing", new ExecOptions { Command = ["true"] }, null, null, null);
        var e = await Assert.ThrowsAsync<BerthForkException>(() => exec.WaitForExitAsync(Ct));
        Assert.Equal(BerthFork.AttachFailedExitCode, e.ExitCode);
    }

    [Fact]
    public async Task Ips_UnknownContainer_ThrowsWithBerthForksMessage()
    {
        var c = Container;
        var e = await Assert.ThrowsAsync<BerthForkException>(() => BerthFork.GetIpsAsync(c.LxcPath, c.Name + "-missing", cancellationToken: Ct));
        Assert.Contains("has no config", e.Message, StringComparison.Ordinal);
    }
}
