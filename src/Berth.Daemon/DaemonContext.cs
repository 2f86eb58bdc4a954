using Berth.Server.Host;
using Berth.Server.Security;

namespace Berth.Daemon;

/// <summary>Process-wide facts and switches of a running berthd.</summary>
internal sealed class DaemonContext
{
    public required DaemonOptions Options { get; init; }

    public required HostInfo Host { get; init; }

    public required ServerCertificate Certificate { get; init; }

    public string Version { get; } = DaemonVersion.Current;

    /// <summary>Set once the daemon has finished starting (GET /internal/ready).</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancelled to make the daemon exit (PUT /internal/shutdown, SIGTERM).</summary>
    public CancellationTokenSource Shutdown { get; } = new();

    /// <summary>
    /// Set by <c>berthd shutdown</c> and SIGPWR (the host is going down): instances are stopped before exiting.
    /// SIGTERM alone (a restart or upgrade of berthd) leaves them running, as LXD does.
    /// </summary>
    public bool StopInstancesOnShutdown { get; set; }
}

internal static class DaemonVersion
{
    public static string Current { get; } =
        typeof(DaemonVersion).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}
