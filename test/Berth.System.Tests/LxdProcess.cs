using System.Diagnostics;

namespace Berth.System.Tests;

/// <summary>
/// Debian's real LXD 5.0 on a private LXD_DIR under /tmp, listening on a free 127.0.0.1 port: the reference
/// image server for LXD-protocol pulls. Stopped with <c>lxd shutdown</c>, then by its own PID.
/// </summary>
internal sealed class LxdProcess : IAsyncDisposable
{
    private Process? _process;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "berth-lxd-" + Guid.NewGuid().ToString("N")[..10]);

    public int Port { get; private set; }

    public string Url => $"https://127.0.0.1:{Port}";

    public string Certificate => File.ReadAllText(Path.Combine(Dir, "server.crt"));

    private Dictionary<string, string> Env => new() { ["LXD_DIR"] = Dir, ["LXD_CONF"] = Dir + ".conf", ["HOME"] = Dir + ".conf" };

    public static async Task<LxdProcess> StartAsync()
    {
        SystemRequirements.RequireRoot();
        SystemRequirements.Require(File.Exists("/usr/bin/lxd"), "Debian's lxd is not installed");
        var lxd = new LxdProcess();
        Directory.CreateDirectory(lxd.Dir);
        Directory.CreateDirectory(lxd.Dir + ".conf");
        var start = new ProcessStartInfo("/usr/bin/lxd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--group", "root", "--logfile", Path.Combine(lxd.Dir + ".conf", "lxd.log") })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in lxd.Env)
        {
            start.Environment[key] = value;
        }

        lxd._process = Process.Start(start)!;
        var ready = await ProcessRunner.RunAsync("/usr/bin/lxd", ["waitready", "--timeout", "60"], lxd.Env, timeout: TimeSpan.FromSeconds(70));
        Assert.True(ready.ExitCode == 0, "lxd did not start: " + ready);
        lxd.Port = TestNetwork.FreePort();
        var listen = await lxd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{lxd.Port}");
        Assert.True(listen.ExitCode == 0, listen.ToString());
        return lxd;
    }

    public Task<ProcessResult> LxcAsync(params string[] args) => ProcessRunner.RunAsync("/usr/bin/lxc", args, Env, timeout: TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await ProcessRunner.RunAsync("/usr/bin/lxd", ["shutdown", "--timeout", "20"], Env, timeout: TimeSpan.FromSeconds(30));
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        await StorageCleanup.UnmountUnderAsync(Dir);
        foreach (var dir in new[] { Dir, Dir + ".conf" })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
