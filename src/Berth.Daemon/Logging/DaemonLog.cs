namespace Berth.Daemon.Logging;

/// <summary>berthd's log messages; event ids are listed once, here.</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Starting berthd {Version} on {Socket}")]
    public static partial void Starting(ILogger logger, string version, string socket);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Daemon started")]
    public static partial void Started(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Stopping daemon")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Removed stale socket {Socket}")]
    public static partial void StaleSocket(ILogger logger, string socket);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Handling API request {Method} {Url}")]
    public static partial void Request(ILogger logger, string method, string url);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Failed to autostart instance {Instance}: {Reason}")]
    public static partial void AutostartFailed(ILogger logger, string instance, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Failed to stop instance {Instance} at shutdown")]
    public static partial void HostShutdownStopFailed(ILogger logger, string instance, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Failed to restart the seccomp notify proxy for running instances: {Reason}")]
    public static partial void SeccompProxyFailed(ILogger logger, string reason);
}
