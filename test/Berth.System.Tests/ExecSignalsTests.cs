using System.Diagnostics;

namespace Berth.System.Tests;

/// <summary>
/// Debian's lxc forwards the signals it gets to the command over exec's control websocket when it has no pty: ^C
/// (SIGINT), SIGQUIT and SIGTERM must each end a command that does not handle them, as they do on LXD.
/// </summary>
public sealed class ExecSignalsTests : IAsyncLifetime
{
    private readonly string _name = "sig" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        Assert.Equal(0, (await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox")).ExitCode);
        var launch = await _berthd.LxcAsync("launch", "busybox", _name);
        Assert.True(launch.ExitCode == 0, launch + _berthd.Log());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Theory]
    [InlineData("INT")]
    [InlineData("QUIT")]
    [InlineData("TERM")]
    public async Task LxcExec_SignalToClient_EndsTheCommand(string signal)
    {
        var watch = Stopwatch.StartNew();
        // timeout(1) sends the signal to lxc after 2 s; the command would otherwise run for 60.
        var run = await ProcessRunner.RunAsync(SystemRequirements.Tool("timeout"), ["-s", signal, "2", SystemRequirements.Tool("lxc"), "exec", _name, "--", "sleep", "60"], _berthd.Env);
        Assert.Equal(124, run.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"lxc exec ran {watch.Elapsed} after SIG{signal}");
        Assert.DoesNotContain("sleep 60", (await _berthd.LxcAsync("exec", _name, "--", "ps")).Stdout, StringComparison.Ordinal);
    }
}
