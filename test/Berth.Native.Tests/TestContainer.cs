using System.Diagnostics;

namespace Berth.Native.Tests;

/// <summary>
/// A privileged busybox container in its own lxcpath under /tmp, named bn-&lt;random&gt;. Dispose stops it, deletes
/// the lxcpath and removes empty cgroups liblxc left for this name (lxc.monitor.bn-…, lxc.payload.bn-…).
/// </summary>
internal sealed class TestContainer : IAsyncDisposable
{
    private static readonly string[] Applets = ["sh", "true", "echo", "cat", "sleep", "id", "stty", "tty", "env", "ls", "pwd"];

    private TestContainer(string lxcPath, string name)
    {
        LxcPath = lxcPath;
        Name = name;
        Control = new LxcContainerControl(lxcPath, name);
    }

    public string LxcPath { get; }

    public string Name { get; }

    public LxcContainerControl Control { get; }

    public string LogFile => Path.Combine(LxcPath, Name, "lxc.log");

    /// <summary>Writes the rootfs and config (not started).</summary>
    public static TestContainer Create()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var name = "bn-" + id;
        var lxcPath = Path.Combine(Path.GetTempPath(), "bn-lxc-" + id);
        var dir = Path.Combine(lxcPath, name);
        var rootfs = Path.Combine(dir, "rootfs");
        foreach (var d in new[] { "bin", "etc", "proc", "sys", "dev", "tmp", "root" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        }

        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        foreach (var applet in Applets)
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        }

        var init = Path.Combine(rootfs, "bin", "berth-init");
        File.WriteAllText(init, "#!/bin/sh\nwhile :; do sleep 3600; done\n");
        File.SetUnixFileMode(init, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "hostname"), name + "\n");

        // lxc.init.cmd is split on spaces without shell quoting, hence the script.
        File.WriteAllText(Path.Combine(dir, "config"), $"""
            lxc.uts.name = {name}
            lxc.rootfs.path = dir:{rootfs}
            lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed
            lxc.autodev = 1
            lxc.net.0.type = empty
            lxc.apparmor.profile = unconfined
            lxc.init.cmd = /bin/berth-init
            lxc.pty.max = 16
            lxc.log.file = {dir}/lxc.log
            lxc.log.level = INFO

            """);
        return new TestContainer(lxcPath, name);
    }

    public Task<int> StartAsync() => BerthFork.StartAsync(LxcPath, Name, TestContext.Current.CancellationToken);

    /// <summary>Runs a command with pipes; returns (exit, stdout, stderr).</summary>
    public async Task<(ProcessExit Exit, string Stdout, string Stderr)> ExecAsync(
        IReadOnlyList<string> command, string? stdin = null)
    {
        var (inRead, inWrite) = Pipe.Create();
        var (outRead, outWrite) = Pipe.Create();
        var (errRead, errWrite) = Pipe.Create();
        ForkExec exec;
        using (inRead)
        using (outWrite)
        using (errWrite)
        {
            exec = BerthFork.Exec(LxcPath, Name, new ExecOptions
            {
                Command = command,
                Environment = new Dictionary<string, string> { ["PATH"] = "/bin" },
            }, inRead, outWrite, errWrite);
        }

        using (exec)
        using (var input = new FdStream(inWrite, canRead: false))
        using (var output = new FdStream(outRead, canWrite: false))
        using (var error = new FdStream(errRead, canWrite: false))
        {
            var ct = TestContext.Current.CancellationToken;
            var stdoutTask = new StreamReader(output).ReadToEndAsync(ct);
            var stderrTask = new StreamReader(error).ReadToEndAsync(ct);
            if (stdin is not null)
            {
                await input.WriteAsync(System.Text.Encoding.UTF8.GetBytes(stdin), ct);
            }

            await input.DisposeAsync();
            var exit = await exec.WaitForExitAsync(ct);
            return (exit, await stdoutTask, await stderrTask);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Control.GetState() != "STOPPED")
            {
                Control.Stop();
            }
        }
        catch (IOException)
        {
        }

        // The monitor removes its cgroups right after the container stops; give it a moment.
        var sw = Stopwatch.StartNew();
        while (LeakedCgroups().Count > 0 && sw.ElapsedMilliseconds < 3000)
        {
            await Task.Delay(50);
        }

        foreach (var cg in LeakedCgroups())
        {
            try
            {
                Directory.Delete(cg);
            }
            catch (IOException)
            {
            }
        }

        try
        {
            Directory.Delete(LxcPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>cgroup directories liblxc created for this container that still exist.</summary>
    public List<string> LeakedCgroups()
    {
        var found = new List<string>();
        if (!Directory.Exists("/sys/fs/cgroup"))
        {
            return found;
        }

        var roots = new List<string> { "/sys/fs/cgroup" };
        roots.AddRange(Directory.GetDirectories("/sys/fs/cgroup"));
        foreach (var root in roots)
        {
            foreach (var prefix in new[] { "lxc.monitor.", "lxc.payload." })
            {
                try
                {
                    found.AddRange(Directory.GetDirectories(root, prefix + Name + "*"));
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return found;
    }
}
