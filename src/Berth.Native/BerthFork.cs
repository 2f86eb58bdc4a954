using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>What to run for <see cref="BerthFork.Exec"/>.</summary>
public sealed class ExecOptions
{
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The whole environment of the process (berth-fork clears the container's first).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? Cwd { get; init; }

    public int? Uid { get; init; }

    public int? Gid { get; init; }
}

/// <summary>berth-fork failed (exit code and its stderr in the message).</summary>
public sealed class BerthForkException : IOException
{
    public BerthForkException()
    {
    }

    public BerthForkException(string message)
        : base(message)
    {
    }

    public BerthForkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BerthForkException(string message, int exitCode, string stderr)
        : base(message)
    {
        ExitCode = exitCode;
        Stderr = stderr;
    }

    public int ExitCode { get; }

    public string Stderr { get; } = "";
}

/// <summary>
/// Runs the liblxc calls that fork (start, attach, get_ips) in the berth-fork helper, never in berthd
/// (see native/berth-fork/berth-fork.c and docs on why: cgroup move, heap-sized forks), each in a fork of the
/// long-lived <see cref="ForkServer"/>.
/// </summary>
public static class BerthFork
{
    /// <summary>berth-fork exec's exit code when it could not attach (nothing is written to the status fd then).</summary>
    public const int AttachFailedExitCode = 255;

    /// <summary>Starts the container (daemonized) from <c>&lt;lxcpath&gt;/&lt;name&gt;/config</c>; returns init's pid once RUNNING.</summary>
    public static async Task<int> StartAsync(string lxcPath, string name, CancellationToken cancellationToken = default)
    {
        var (stdout, _) = await RunAsync(["start", lxcPath, name], cancellationToken).ConfigureAwait(false);
        return int.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Bind-mounts a host path into a running container whose init is <paramref name="pid"/> (disk hot-plug);
    /// <paramref name="options"/> is <c>bind|rbind[,ro][,idmap][,create=dir|file]</c>.
    /// </summary>
    public static Task MountAsync(int pid, string source, string target, string options, CancellationToken cancellationToken = default) =>
        RunAsync(["mount", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), source, target, options], cancellationToken);

    /// <summary>Detaches a mount inside a running container (disk hot-unplug).</summary>
    public static Task UnmountAsync(int pid, string target, CancellationToken cancellationToken = default) =>
        RunAsync(["umount", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), target], cancellationToken);

    /// <summary>The container's global addresses (all interfaces, or <paramref name="iface"/>).</summary>
    public static async Task<IReadOnlyList<string>> GetIpsAsync(
        string lxcPath, string name, string? iface = null, CancellationToken cancellationToken = default)
    {
        string[] args = iface is null ? ["ips", lxcPath, name] : ["ips", lxcPath, name, iface];
        var (stdout, _) = await RunAsync(args, cancellationToken).ConfigureAwait(false);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Starts <c>berth-fork exec</c>: the attached process gets <paramref name="stdin"/>, <paramref name="stdout"/>
    /// and <paramref name="stderr"/> (pipe ends, or the same pty slave three times; null = /dev/null).
    /// Close your copies of those after this returns. <see cref="ForkExec.Signal"/> reaches the command; its exit
    /// code is the command's (128 + signal when killed).
    /// </summary>
    public static ForkExec Exec(
        string lxcPath, string name, ExecOptions options, SafeHandle? stdin, SafeHandle? stdout, SafeHandle? stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Command.Count == 0)
        {
            throw new ArgumentException("empty command", nameof(options));
        }

        var args = new List<string> { BerthLibexec.ForkHelperName, "exec", lxcPath, name, "--status-fd", "3" };
        if (options.Cwd is not null)
        {
            args.AddRange(["--cwd", options.Cwd]);
        }

        if (options.Uid is { } uid)
        {
            args.AddRange(["--uid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (options.Gid is { } gid)
        {
            args.AddRange(["--gid", gid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        foreach (var (key, value) in options.Environment)
        {
            args.AddRange(["--env", $"{key}={value}"]);
        }

        args.Add("--");
        args.AddRange(options.Command);

        // Through the fork server when the request fits (the reply socket is the child's status fd 3).
        if (ForkServer.Start(args, [stdin, stdout, stderr], replyAsFd: 3) is { } child)
        {
            return new ForkExec(child);
        }

        var (statusRead, statusWrite) = Pipe.Create();
        using (statusWrite)
        {
            try
            {
                var helper = NativeProcess.Spawn(
                    BerthLibexec.ForkHelperPath, args, envp: null, [stdin, stdout, stderr, statusWrite], setsid: true);
                return new ForkExec(helper, statusRead);
            }
            catch
            {
                statusRead.Dispose();
                throw;
            }
        }
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        // Output comes back over stream sockets, which the runtime's epoll loop reads (a pipe would need a thread).
        var (outRead, outWrite) = ForkServer.SocketPair(seqpacket: false);
        var (errRead, errWrite) = ForkServer.SocketPair(seqpacket: false);
        ForkChild child;
        using (outWrite)
        using (errWrite)
        {
            try
            {
                child = ForkServer.Start([BerthLibexec.ForkHelperName, .. args], [null, outWrite, errWrite])!;
            }
            catch
            {
                outRead.Dispose();
                errRead.Dispose();
                throw;
            }
        }

        using (child)
        using (var outSocket = ForkServer.AsSocket(outRead))
        using (var errSocket = ForkServer.AsSocket(errRead))
        {
            var stdout = ReadAllAsync(outSocket, cancellationToken);
            var stderr = ReadAllAsync(errSocket, cancellationToken);
            ProcessExit exit;
            try
            {
                exit = await child.Exit.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                child.Signal(NativeProcess.SIGKILL);
                throw;
            }

            var (o, e) = (await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            if (exit.ExitCode != 0)
            {
                throw new BerthForkException(
                    $"berth-fork {args[0]} {args[^1]} failed ({exit}): {e.Trim()}", exit.Code, e);
            }

            return (o, e);
        }
    }

    private static async Task<string> ReadAllAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A running <c>berth-fork exec</c>: a child of the fork server, or (for a huge request) its own process.</summary>
public sealed class ForkExec : IDisposable
{
    private readonly ForkChild? _child;
    private readonly NativeProcess? _helper;
    private readonly Task<int?> _attachedPid;

    internal ForkExec(ForkChild child)
    {
        _child = child;
        _attachedPid = child.AttachedPid;
    }

    internal ForkExec(NativeProcess helper, SafeFileHandle statusRead)
    {
        _helper = helper;
        _attachedPid = ReadPidAsync(statusRead);
    }

    /// <summary>Host pid of the attached process once it runs; null if berth-fork failed to attach.</summary>
    public Task<int?> AttachedPid => _attachedPid;

    /// <summary>Forwards a signal (SIGTERM, SIGINT, SIGHUP, ...) to the command through berth-fork.</summary>
    public void Signal(int signal)
    {
        if (_child is not null)
        {
            _child.Signal(signal);
        }
        else
        {
            _helper!.Kill(signal);
        }
    }

    /// <summary>The command's exit; throws <see cref="BerthForkException"/> if berth-fork could not attach.</summary>
    public async Task<ProcessExit> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        var exit = _child is not null
            ? await _child.Exit.WaitAsync(cancellationToken).ConfigureAwait(false)
            : await _helper!.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exit.ExitCode == BerthFork.AttachFailedExitCode && await _attachedPid.ConfigureAwait(false) is null)
        {
            throw new BerthForkException("berth-fork could not attach (see its stderr)", exit.Code, "");
        }

        return exit;
    }

    public void Dispose()
    {
        _child?.Dispose();
        _helper?.Dispose();
    }

    private static async Task<int?> ReadPidAsync(SafeFileHandle statusRead)
    {
        using var stream = new FdStream(statusRead, canWrite: false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var line = await reader.ReadLineAsync().ConfigureAwait(false);
        return int.TryParse(line?.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }
}
