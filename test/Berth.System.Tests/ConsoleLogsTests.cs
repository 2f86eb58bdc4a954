namespace Berth.System.Tests;

/// <summary>Console log and interactive console, and the instance logs, through Debian's lxc.</summary>
public sealed class ConsoleLogsTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/bin/lxc-start"), "lxc is not installed");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task ShowLog_InfoAndConsole()
    {
        await LaunchAsync("k1");

        // The busybox image runs a shell on the console: its banner is the boot output.
        var console = await WaitForConsoleLogAsync("k1", "built-in shell");
        Assert.Contains("BusyBox", console, StringComparison.Ordinal);

        var info = await _berthd.LxcAsync("info", "--show-log", "k1");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("Log:", info.Stdout, StringComparison.Ordinal);

        var logs = await _berthd.LxcAsync("query", "/1.0/instances/k1/logs");
        Assert.Contains("/1.0/instances/k1/logs/lxc.log", logs.Stdout, StringComparison.Ordinal);
        Assert.Contains("/1.0/instances/k1/logs/console.log", logs.Stdout, StringComparison.Ordinal);
        var conf = await _berthd.LxcAsync("query", "--raw", "/1.0/instances/k1/logs/lxc.conf");
        Assert.Contains("lxc.uts.name = k1", conf.Stdout, StringComparison.Ordinal);

        var deleteLxcLog = await _berthd.LxcAsync("query", "-X", "DELETE", "/1.0/instances/k1/logs/lxc.log");
        Assert.NotEqual(0, deleteLxcLog.ExitCode);
        Assert.Contains("may not be deleted", deleteLxcLog.Stderr, StringComparison.Ordinal);
        var escape = await _berthd.LxcAsync("query", "/1.0/instances/k1/logs/..%2F..%2Fberthd.log");
        Assert.NotEqual(0, escape.ExitCode);

        // DELETE /console empties the log; the container keeps running.
        Assert.Equal(0, (await _berthd.LxcAsync("query", "-X", "DELETE", "/1.0/instances/k1/console")).ExitCode);
        Assert.DoesNotContain("built-in shell", (await _berthd.LxcAsync("console", "k1", "--show-log")).Stdout, StringComparison.Ordinal);
        Assert.Equal("k1,RUNNING\n", (await _berthd.LxcAsync("list", "-c", "ns", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task Console_Interactive_RunsCommandsOnTheConsole()
    {
        SystemRequirements.Require(File.Exists("/usr/bin/script"), "script (util-linux) is not installed");
        await LaunchAsync("k2");
        await WaitForConsoleLogAsync("k2", "built-in shell");

        // lxc console wants a terminal: script gives it one; ctrl-a, then q, detaches (lxc sees them in separate reads).
        var lxc = SystemRequirements.Tool("lxc");
        var line = "(sleep 1; printf 'echo con$((6*7))sole\\r'; sleep 2; printf '\\001'; sleep 0.5; printf q; sleep 1) | script -qfc '" + lxc + " console k2' /dev/null";
        var session = await ProcessRunner.RunAsync("/bin/sh", ["-c", line], _berthd.Env, timeout: TimeSpan.FromSeconds(30));
        Assert.True(session.Stdout.Contains("con42sole", StringComparison.Ordinal), session.ToString());

        // The console log saw it too, and the console is free again for a second client.
        Assert.Contains("con42sole", (await _berthd.LxcAsync("console", "k2", "--show-log")).Stdout, StringComparison.Ordinal);
        var again = await ProcessRunner.RunAsync("/bin/sh", ["-c", line.Replace("6*7", "7*8", StringComparison.Ordinal)], _berthd.Env, timeout: TimeSpan.FromSeconds(30));
        Assert.True(again.Stdout.Contains("con56sole", StringComparison.Ordinal), again.ToString());

        var stopped = await _berthd.LxcAsync("stop", "k2", "--force");
        Assert.Equal(0, stopped.ExitCode);
        var attachStopped = await _berthd.LxcAsync("query", "-X", "POST", "-d", "{\"type\":\"console\",\"width\":80,\"height\":25}", "/1.0/instances/k2/console");
        Assert.NotEqual(0, attachStopped.ExitCode);
        Assert.Contains("con42sole", (await _berthd.LxcAsync("console", "k2", "--show-log")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BerthConsole_ShowLogAndAttach()
    {
        await LaunchAsync("k3");
        await WaitForConsoleLogAsync("k3", "built-in shell");
        var log = await _berthd.BerthAsync("console", "k3", "--show-log");
        Assert.True(log.ExitCode == 0, log.ToString());
        Assert.Contains("built-in shell", log.Stdout, StringComparison.Ordinal);

        // Input ends after two seconds, which detaches; the command's output arrived meanwhile.
        var berth = Path.Combine(_berthd.Bin, "berth");
        var attach = await ProcessRunner.RunAsync("/bin/sh", ["-c", "(printf 'echo at$((5*5))tach\\n'; sleep 2) | " + berth + " console k3"], _berthd.Env, timeout: TimeSpan.FromSeconds(30));
        Assert.True(attach.ExitCode == 0 && attach.Stdout.Contains("at25tach", StringComparison.Ordinal), attach.ToString());
        Assert.Equal("k3,RUNNING\n", (await _berthd.LxcAsync("list", "-c", "ns", "--format", "csv")).Stdout);
    }

    private async Task LaunchAsync(string name)
    {
        var launch = await _berthd.LxcAsync("launch", "busybox", name);
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());
    }

    private async Task<string> WaitForConsoleLogAsync(string name, string text)
    {
        var log = "";
        for (var i = 0; i < 50 && !log.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            log = (await _berthd.LxcAsync("console", name, "--show-log")).Stdout;
        }

        Assert.Contains(text, log, StringComparison.Ordinal);
        return log;
    }
}
