using System.Diagnostics;
using System.Text;

namespace Berth.Native.Tests;

/// <summary>One running container shared by the exec tests.</summary>
public sealed class RunningContainerFixture : IAsyncLifetime
{
    private TestContainer? _container;

    internal TestContainer Container => _container ?? throw new InvalidOperationException("container not started");

    public async ValueTask InitializeAsync()
    {
        // Requirements are asserted per test (skip locally, fail under CI); here we only avoid starting.
        if (NativeRequirements.MissingForContainers() is not null)
        {
            return;
        }

        _container = TestContainer.Create();
        await BerthFork.StartAsync(_container.LxcPath, _container.Name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

public class ContainerExecTests(RunningContainerFixture fixture, ITestOutputHelper output) : IClassFixture<RunningContainerFixture>
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
    public async Task Exec_Pipes_SeparateStreamsAndExitCode()
    {
        var (exit, stdout, stderr) = await Container.ExecAsync(["sh", "-c", "echo out; echo err >&2; exit 3"]);
        Assert.Equal(3, exit.ExitCode);
        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);
    }

    [Fact]
    public async Task Exec_Stdin_ReachesCat()
    {
        var (exit, stdout, _) = await Container.ExecAsync(["cat"], "line one\nline two\n");
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("line one\nline two\n", stdout);
    }

    [Fact]
    public async Task Exec_Environment_IsClearedAndSet_CwdAndUidApplied()
    {
        var c = Container;
        var (outRead, outWrite) = Pipe.Create();
        ForkExec exec;
        using (outWrite)
        {
            exec = BerthFork.Exec(c.LxcPath, c.Name, new ExecOptions
            {
                Command = ["sh", "-c", "echo $FOO; echo ${HOME:-nohome}; pwd; id -u; id -g"],
                Environment = new Dictionary<string, string> { ["PATH"] = "/bin", ["FOO"] = "bar baz" },
                Cwd = "/tmp",
                Uid = 1000,
                Gid = 1001,
            }, null, outWrite, null);
        }

        using (exec)
        using (var o = new StreamReader(new FdStream(outRead, canWrite: false)))
        {
            Assert.Equal("bar baz\nnohome\n/tmp\n1000\n1001\n", await o.ReadToEndAsync(Ct));
            Assert.Equal(0, (await exec.WaitForExitAsync(Ct)).ExitCode);
            Assert.True(await exec.AttachedPid > 0);
        }
    }

    [Fact]
    public async Task Exec_MissingCommand_Exits127()
    {
        var (exit, _, _) = await Container.ExecAsync(["/bin/nonexistent"]);
        Assert.Equal(127, exit.ExitCode);
    }

    [Fact]
    public async Task Exec_ContainerPty_TtyAndWindowSize()
    {
        var c = Container;
        using var devpts = c.Control.OpenDevpts();
        using var pty = ContainerPty.Open(devpts);
        pty.SetWindowSize(132, 40);
        ForkExec exec;
        exec = BerthFork.Exec(c.LxcPath, c.Name, new ExecOptions
        {
            Command = ["sh", "-c", "tty; stty size; read line; echo got:$line; exit 5"],
            Environment = new Dictionary<string, string> { ["PATH"] = "/bin", ["TERM"] = "xterm" },
        }, pty.Slave, pty.Slave, pty.Slave);
        pty.CloseSlave();

        using (exec)
        using (var master = pty.OpenMasterStream())
        {
            var text = new StringBuilder();
            var buffer = new byte[4096];
            var sent = false;
            int n;
            while ((n = await master.ReadAsync(buffer, Ct)) > 0)
            {
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                if (!sent && text.ToString().Contains("40 132", StringComparison.Ordinal))
                {
                    await master.WriteAsync("hello\n"u8.ToArray(), Ct);
                    sent = true;
                }
            }

            var exit = await exec.WaitForExitAsync(Ct);
            output.WriteLine(text.ToString());
            Assert.Equal(5, exit.ExitCode);
            Assert.Matches(@"^/dev/pts/\d+\r\n40 132\r\n", text.ToString());
            Assert.Contains("got:hello", text.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Exec_SigtermToHelper_IsForwarded_Exit143()
    {
        var c = Container;
        using var exec = BerthFork.Exec(c.LxcPath, c.Name, new ExecOptions { Command = ["sleep", "30"] }, null, null, null);
        var pid = await exec.AttachedPid.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(pid > 0);
        var sw = Stopwatch.StartNew();
        exec.Signal(NativeProcess.SIGTERM);
        var exit = await exec.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(143, exit.ExitCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(NativeProcess.SIGINT)]
    [InlineData(NativeProcess.SIGQUIT)]
    public async Task Exec_SigintAndSigquit_AreForwardedToo(int signal)
    {
        // liblxc's attach ignores both in its caller (as system() does); berth-fork takes them back.
        var c = Container;
        using var exec = BerthFork.Exec(c.LxcPath, c.Name, new ExecOptions { Command = ["sleep", "30"] }, null, null, null);
        Assert.True(await exec.AttachedPid.WaitAsync(TimeSpan.FromSeconds(10), Ct) > 0);
        exec.Signal(signal);
        var exit = await exec.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(128 + signal, exit.Code);
    }

    [Fact]
    public async Task Ips_NoNetwork_Empty()
    {
        var c = Container;
        Assert.Empty(await BerthFork.GetIpsAsync(c.LxcPath, c.Name, cancellationToken: Ct));
    }

    [Fact]
    public async Task Measure_ExecTrue_RoundTrip_Median()
    {
        var c = Container;
        var times = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var sw = Stopwatch.StartNew();
            using var exec = BerthFork.Exec(c.LxcPath, c.Name, new ExecOptions { Command = ["true"] }, null, null, null);
            var exit = await exec.WaitForExitAsync(Ct);
            times.Add(sw.Elapsed.TotalMilliseconds);
            Assert.Equal(0, exit.ExitCode);
        }

        times.Sort();
        output.WriteLine($"exec true via berth-fork: median {times[5]:F1} ms (min {times[0]:F1}, max {times[^1]:F1})");
    }
}
