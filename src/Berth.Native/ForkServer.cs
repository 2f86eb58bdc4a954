using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>
/// The long-lived <c>berth-fork serve</c> (native/berth-fork/server.c): every berth-fork command runs in a fork of
/// it instead of an exec of berth-fork, which on a machine with dear page faults costs more than the liblxc call
/// itself (dynamic linking of liblxc and its libraries). Started on first use and again whenever it has died.
/// </summary>
internal sealed class ForkServer : IDisposable
{
    /// <summary>The largest request (argv and environment) a datagram carries; larger ones are spawned directly.</summary>
    public const int MaxRequestBytes = 190 * 1024;

    private static readonly Lock CurrentLock = new();
    private static ForkServer? _current;

    private readonly NativeProcess _process;
    private readonly SafeFileHandle _control;
    private readonly Lock _sendLock = new();
    private volatile bool _broken;

    private ForkServer(NativeProcess process, SafeFileHandle control)
    {
        _process = process;
        _control = control;
    }

    /// <summary>The server's pid (tests end it to see it come back).</summary>
    internal int ProcessId => _process.Pid;

    /// <summary>The running server, started (or restarted) if needed.</summary>
    public static ForkServer Current
    {
        get
        {
            lock (CurrentLock)
            {
                if (_current is null || _current._broken || _current._process.HasExited)
                {
                    _current?.Dispose();
                    _current = Start();
                }

                return _current;
            }
        }
    }

    /// <summary>
    /// <see cref="Run"/> on the current server; when the server turns out to have died since it was last used, once
    /// more on a new one (the request never reached the old one).
    /// </summary>
    public static ForkChild? Start(IReadOnlyList<string> args, IReadOnlyList<SafeHandle?> fdMap, int? replyAsFd = null)
    {
        var server = Current;
        try
        {
            return server.Run(args, fdMap, replyAsFd);
        }
        catch (IOException) when (server._broken)
        {
            return Current.Run(args, fdMap, replyAsFd);
        }
    }

    /// <summary>
    /// Runs <paramref name="args"/> (argv[0] included) in a child of the server. <paramref name="fdMap"/>[i] becomes
    /// the child's fd i (null: /dev/null); <paramref name="replyAsFd"/> also gives the child the reply socket as
    /// that fd (exec's --status-fd). Returns null when the request does not fit a datagram.
    /// </summary>
    public unsafe ForkChild? Run(IReadOnlyList<string> args, IReadOnlyList<SafeHandle?> fdMap, int? replyAsFd = null)
    {
        var map = new StringBuilder();
        var fds = new List<SafeHandle>();
        for (var i = 0; i < Math.Max(fdMap.Count, (replyAsFd ?? -1) + 1); i++)
        {
            var handle = i < fdMap.Count ? fdMap[i] : null;
            map.Append(i == replyAsFd ? 'r' : handle is null ? '-' : 'o');
            if (i != replyAsFd && handle is not null)
            {
                fds.Add(handle);
            }
        }

        var payload = Encoding.UTF8.GetBytes(map + "\0" + string.Join('\0', args) + "\0");
        if (payload.Length > MaxRequestBytes)
        {
            return null;
        }

        var (ours, theirs) = SocketPair();
        using (theirs)
        {
            var refs = new List<SafeHandle>();
            try
            {
                var raw = stackalloc int[fds.Count + 1];
                raw[0] = AddRef(theirs, refs);
                for (var i = 0; i < fds.Count; i++)
                {
                    raw[i + 1] = AddRef(fds[i], refs);
                }

                int sent;
                lock (_sendLock)
                {
                    fixed (byte* p = payload)
                    {
                        sent = Interop.BerthLxc.SendFds(_control, p, (nuint)payload.Length, raw, fds.Count + 1);
                    }
                }

                if (sent < 0)
                {
                    _broken = true;
                    ours.Dispose();
                    throw Interop.IOErrors.GetException(-sent, "berth-fork serve: send request");
                }
            }
            finally
            {
                foreach (var handle in refs)
                {
                    handle.DangerousRelease();
                }
            }
        }

        return new ForkChild(this, ours);
    }

    /// <summary>Signals a child the server has not reaped yet (so the pid cannot name another process).</summary>
    public unsafe void Kill(int pid, int signal)
    {
        var payload = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"kill\0{pid}\0{signal}\0"));
        lock (_sendLock)
        {
            fixed (byte* p = payload)
            {
                _ = Interop.BerthLxc.SendFds(_control, p, (nuint)payload.Length, null, 0);
            }
        }
    }

    public void Dispose()
    {
        // Closing our end tells the server to exit; children it started keep running.
        _control.Dispose();
        _process.Dispose();
    }

    private static ForkServer Start()
    {
        var (ours, theirs) = SocketPair();
        using (theirs)
        using (var stderr = new SafeFileHandle(2, ownsHandle: false))
        {
            try
            {
                var process = NativeProcess.Spawn(
                    BerthLibexec.ForkHelperPath, [BerthLibexec.ForkHelperName, "serve", "3"], envp: null, [null, null, stderr, theirs], setsid: true);
                return new ForkServer(process, ours);
            }
            catch
            {
                ours.Dispose();
                throw;
            }
        }
    }

    /// <summary>A connected pair of AF_UNIX sockets (CLOEXEC): datagrams with boundaries, or a byte stream.</summary>
    internal static unsafe (SafeFileHandle Ours, SafeFileHandle Theirs) SocketPair(bool seqpacket = true)
    {
        var fds = stackalloc int[2];
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.UnixPair(fds, seqpacket ? 1 : 0), "socketpair");
        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    /// <summary>A .NET socket over <paramref name="handle"/> (ownership moves): read through the runtime's epoll loop.</summary>
    internal static Socket AsSocket(SafeFileHandle handle)
    {
        var socket = new Socket(new SafeSocketHandle(handle.DangerousGetHandle(), ownsHandle: true));
        handle.SetHandleAsInvalid();
        return socket;
    }

    private static int AddRef(SafeHandle handle, List<SafeHandle> refs)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        refs.Add(handle);
        return (int)handle.DangerousGetHandle();
    }
}

/// <summary>
/// One command running in a child of <see cref="ForkServer"/>, followed through its reply socket ("pid N", the
/// attached pid the child itself may write, "exit STATUS"). Read asynchronously: no thread waits for it.
/// </summary>
internal sealed class ForkChild : IDisposable
{
    private readonly ForkServer _server;
    private readonly Socket _reply;
    private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int?> _attachedPid = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ForkChild(ForkServer server, SafeFileHandle reply)
    {
        _server = server;
        _reply = ForkServer.AsSocket(reply);
        Exit = ReadAsync();
    }

    /// <summary>How the child ended; a <see cref="BerthForkException"/> if the server lost it.</summary>
    public Task<ProcessExit> Exit { get; }

    /// <summary>The number the child wrote to its reply fd (exec: the attached pid), null if none.</summary>
    public Task<int?> AttachedPid => _attachedPid.Task;

    public void Signal(int signal)
    {
        if (_pid.Task.IsCompletedSuccessfully && !Exit.IsCompleted)
        {
            _server.Kill(_pid.Task.Result, signal);
        }
        else if (!Exit.IsCompleted)
        {
            // Not running yet: deliver once it is (berth-fork exec keeps it until the attached pid is known).
            _ = _pid.Task.ContinueWith(t => _server.Kill(t.Result, signal), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    public void Dispose() => _reply.Dispose();

    private async Task<ProcessExit> ReadAsync()
    {
        var buffer = new byte[64];
        try
        {
            while (true)
            {
                var n = await _reply.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new BerthForkException("berth-fork serve exited before its child did");
                }

                var line = Encoding.ASCII.GetString(buffer, 0, n).Trim();
                if (line.StartsWith("pid ", StringComparison.Ordinal))
                {
                    _pid.TrySetResult(int.Parse(line.AsSpan(4), CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("exit ", StringComparison.Ordinal))
                {
                    var status = int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture);
                    return (status & 0x7f) == 0 ? new ProcessExit((status >> 8) & 0xff, null) : new ProcessExit(null, status & 0x7f);
                }
                else if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var attached))
                {
                    _attachedPid.TrySetResult(attached);
                }
            }
        }
        catch (SocketException e)
        {
            throw new BerthForkException("berth-fork serve: reply socket failed", e);
        }
        catch (ObjectDisposedException)
        {
            throw new BerthForkException("berth-fork child abandoned");
        }
        finally
        {
            _attachedPid.TrySetResult(null);
            _pid.TrySetCanceled();
        }
    }
}
