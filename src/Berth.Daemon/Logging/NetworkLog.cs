namespace Berth.Daemon.Logging;

internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "Failed to start network {Network}: {Error}")]
    public static partial void StartFailed(ILogger logger, string network, string error);
}
