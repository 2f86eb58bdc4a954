using System.Diagnostics;
using Berth.Api;

namespace Berth.Server.Host;

/// <summary>
/// berth-fork's seccomp notify proxy on <c>$BERTH_DIR/seccomp.socket</c> (<c>security.syscalls.intercept.mknod</c> and
/// <c>.setxattr</c>): liblxc's monitor of an intercepting container connects to it at start, so it must listen before
/// such a container starts. It lives as long as this berthd (it exits when its stdin, a pipe held here, closes); a
/// restarted berthd starts a new one on the same path and the monitors reconnect to it on their next syscall.
/// </summary>
public sealed class SeccompProxy(string socketPath, Func<string> helperPath)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly Lock _lock = new();
    private Process? _process;

    public string SocketPath => socketPath;

    /// <summary>The socket path once the proxy listens, starting it when it is not running.</summary>
    public string EnsureRunning()
    {
        lock (_lock)
        {
            if (_process is { HasExited: false })
            {
                return socketPath;
            }

            _process?.Dispose();
            _process = null;
            var start = new ProcessStartInfo(helperPath()) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("seccomp");
            start.ArgumentList.Add(socketPath);
            var process = Process.Start(start) ?? throw new ApiException(500, "Failed to start the seccomp notify proxy");
            var errors = process.StandardError.ReadToEndAsync();
            var ready = process.StandardOutput.ReadLineAsync();
            if (!ready.Wait(StartTimeout) || ready.Result != "ok")
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.WaitForExit();
                var why = errors.Wait(StartTimeout) ? errors.Result.Trim() : "";
                process.Dispose();
                throw new ApiException(500, "Failed to start the seccomp notify proxy for syscall interception" + (why.Length > 0 ? ": " + why : ""));
            }

            _process = process;
            return socketPath;
        }
    }
}
