using System.Diagnostics;

namespace Berth.Server.Host;

/// <summary>
/// Debian's lxcfs on its standard mount point, so <c>free</c>, <c>nproc</c>, <c>uptime</c> and /proc/meminfo inside
/// a container show its limits. An lxcfs that is already mounted and answers is used as is (LXD's or an earlier
/// berthd's); otherwise berthd starts one, daemonized with its pid in <c>$BERTH_DIR/lxcfs.pid</c>, and leaves it
/// running across its own restarts because running containers have its files bind-mounted.
/// </summary>
public sealed class LxcfsDaemon(string stateDir, string mountPoint = LxcfsDaemon.DefaultMountPoint, string binary = "/usr/bin/lxcfs")
{
    public const string DefaultMountPoint = "/var/lib/lxcfs";
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);
    private readonly Lock _lock = new();

    public string PidFile => Path.Combine(stateDir, "lxcfs.pid");

    /// <summary>
    /// The lxcfs mount point once an lxcfs answers there, starting one if needed; null when lxcfs is not installed
    /// or will not start (containers then start without the virtualised /proc files, as LXD does).
    /// </summary>
    public string? EnsureRunning()
    {
        lock (_lock)
        {
            if (IsMounted(mountPoint))
            {
                if (Answers())
                {
                    return mountPoint;
                }

                // A dead lxcfs leaves its mount behind ("Transport endpoint is not connected").
                Run("/bin/umount", "-l", mountPoint);
            }

            if (!File.Exists(binary))
            {
                return null;
            }

            Directory.CreateDirectory(mountPoint);
            Directory.CreateDirectory(stateDir);
            // lxcfs 5 stays in the foreground: setsid -f detaches it into its own session (it outlives berthd), and
            // stdio goes to a log so it never holds berthd's pipes open.
            Run("/bin/sh", "-c", "exec setsid -f \"$0\" -p \"$1\" \"$2\" </dev/null >>\"$3\" 2>&1", binary, PidFile, mountPoint, Path.Combine(stateDir, "lxcfs.log"));
            for (var i = 0; i < 50 && !IsMounted(mountPoint); i++)
            {
                Thread.Sleep(20);
            }

            return IsMounted(mountPoint) && Answers() ? mountPoint : null;
        }
    }

    /// <summary>Whether a fuse.lxcfs file system is mounted at <paramref name="path"/> (per /proc/self/mountinfo).</summary>
    public static bool IsMounted(string path, string mountinfo = "/proc/self/mountinfo")
    {
        foreach (var line in File.ReadLines(mountinfo))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (separator > 4 && separator + 1 < fields.Length && fields[4] == path && fields[separator + 1] == "fuse.lxcfs")
            {
                return true;
            }
        }

        return false;
    }

    private bool Answers()
    {
        // A hung FUSE daemon blocks readers; never wait on it for long.
        var read = Task.Run(() => File.ReadAllText(Path.Combine(mountPoint, "proc", "uptime")));
        try
        {
            return read.Wait(AnswerTimeout) && read.Result.Length > 0;
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    private static void Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start);
        if (process is null)
        {
            return;
        }

        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit(10_000);
    }
}
