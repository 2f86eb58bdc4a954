using System.Diagnostics;
using System.Globalization;

namespace Berth.System.Tests;

/// <summary>
/// A real berthd process on a data dir of its own, with the client environment (LXD_DIR, LXD_CONF, BERTH_CONF)
/// that points Debian's lxc and berth at it. Stopped by its own PID and removed on dispose.
/// </summary>
public sealed class BerthdProcess : IAsyncDisposable
{
    private Process? _process;

    private BerthdProcess(string bin)
    {
        Bin = bin;
        Directory.CreateDirectory(Dir);
        Directory.CreateDirectory(ClientConf);
    }

    public string Bin { get; }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "berth-sys-" + Guid.NewGuid().ToString("N")[..10]);

    public string ClientConf => Path.Combine(Dir + ".conf");

    public string Socket => Path.Combine(Dir, "unix.socket");

    public int Pid => _process?.Id ?? 0;

    /// <summary>The network namespace (<c>ip netns</c> name) berthd runs in, or null for the host's.</summary>
    public string? NetNs { get; private set; }

    public Dictionary<string, string> Env => new()
    {
        ["BERTH_DIR"] = Dir,
        ["LXD_DIR"] = Dir,
        ["LXD_CONF"] = ClientConf,
        ["BERTH_CONF"] = ClientConf,
        ["HOME"] = ClientConf,
    };

    public static Task<BerthdProcess> StartAsync() => StartAsync(netNs: null);

    /// <summary>
    /// With <paramref name="netNs"/>, berthd runs in that network namespace only (<c>nsenter --net</c>, which execs
    /// berthd, so the PID is berthd's): <c>ip netns exec</c> would also give it a mount namespace with a fresh /sys
    /// and no cgroup mounts. The socket and data dir stay on the shared filesystem.
    /// </summary>
    public static async Task<BerthdProcess> StartAsync(string? netNs)
    {
        SystemRequirements.RequireRoot();
        var daemon = new BerthdProcess(SystemRequirements.BinDir()) { NetNs = netNs };
        await daemon.StartAgainAsync();
        return daemon;
    }

    /// <summary>The file and leading arguments that run <paramref name="file"/> in <see cref="NetNs"/>, if any.</summary>
    private (string File, List<string> Args) InNetNs(string file) =>
        NetNs is null ? (file, []) : ("nsenter", ["--net=/run/netns/" + NetNs, file]);

    public async Task StartAgainAsync()
    {
        var (file, args) = InNetNs(Path.Combine(Bin, "berthd"));
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        args.ForEach(start.ArgumentList.Add);
        start.ArgumentList.Add("--logfile");
        start.ArgumentList.Add(Path.Combine(Dir, "berthd.log"));
        foreach (var (key, value) in Env)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start)!;
        var ready = await BerthdAsync("waitready", "--timeout", "30");
        Assert.True(ready.ExitCode == 0, "berthd did not become ready: " + ready + "\n" + Log());
    }

    /// <summary>SIGKILL: the crash case.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: a restart or upgrade of berthd, which leaves the instances running.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        Assert.Equal(0, (await ProcessRunner.RunAsync("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)])).ExitCode);
        return await WaitExitAsync(timeout);
    }

    /// <summary>Waits for the process to exit by itself (after berthd shutdown).</summary>
    public async Task<bool> WaitExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process!.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public Task<ProcessResult> LxcAsync(params string[] args) => ProcessRunner.RunAsync(SystemRequirements.Tool("lxc"), args, Env);

    public Task<ProcessResult> LxcStdinAsync(string stdin, params string[] args) => ProcessRunner.RunAsync(SystemRequirements.Tool("lxc"), args, Env, stdin);

    public Task<ProcessResult> BerthAsync(params string[] args) => ProcessRunner.RunAsync(Path.Combine(Bin, "berth"), args, Env);

    /// <summary>For slow commands (building a Debian image takes minutes).</summary>
    public Task<ProcessResult> BerthSlowAsync(TimeSpan timeout, params string[] args) => ProcessRunner.RunAsync(Path.Combine(Bin, "berth"), args, Env, timeout: timeout);

    public Task<ProcessResult> BerthStdinAsync(string stdin, params string[] args) => ProcessRunner.RunAsync(Path.Combine(Bin, "berth"), args, Env, stdin);

    /// <summary>Runs a script under Debian's python3, which has python3-pylxd (the first python3 on PATH may not).</summary>
    public Task<ProcessResult> PythonAsync(string script)
    {
        SystemRequirements.Require(File.Exists("/usr/lib/python3/dist-packages/pylxd/__init__.py"), "python3-pylxd is not installed");
        return ProcessRunner.RunAsync("/usr/bin/python3", ["-"], Env, script);
    }

    public Task<ProcessResult> BerthdAsync(params string[] args) => ProcessRunner.RunAsync(Path.Combine(Bin, "berthd"), args, Env);

    public Task<ProcessResult> BerthdStdinAsync(string stdin, params string[] args) => ProcessRunner.RunAsync(Path.Combine(Bin, "berthd"), args, Env, stdin);

    public string Log()
    {
        var path = Path.Combine(Dir, "berthd.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public async ValueTask DisposeAsync()
    {
        // Containers outlive berthd by design: stop the ones this daemon made before removing its dir.
        var lxcPath = Path.Combine(Dir, "containers");
        if (Directory.Exists(lxcPath))
        {
            foreach (var container in Directory.GetDirectories(lxcPath))
            {
                // liblxc's command socket is abstract, so it is reached from the daemon's network namespace only.
                var (file, args) = InNetNs("lxc-stop");
                await ProcessRunner.RunAsync(file, [.. args, "-P", lxcPath, "-n", Path.GetFileName(container), "-k"], timeout: TimeSpan.FromSeconds(30));
            }
        }

        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();

        // A daemon started by a command under test (activateifneeded) is stopped through its own socket.
        if (File.Exists(Socket))
        {
            await BerthdAsync("shutdown", "--timeout", "10");
        }

        await NetworkCleanup.RemoveUnderAsync(Dir);
        await StorageCleanup.UnmountUnderAsync(Dir);
        foreach (var dir in new[] { Dir, ClientConf })
        {
            await DeleteTreeAsync(dir);
        }
    }

    /// <summary>
    /// A tool the killed daemon started (the background rootfs copy's cp) may still be writing for a moment, so
    /// "Directory not empty" is retried, a bounded number of times.
    /// </summary>
    private static async Task DeleteTreeAsync(string dir)
    {
        for (var attempt = 1; Directory.Exists(dir); attempt++)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException) when (attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }
}
