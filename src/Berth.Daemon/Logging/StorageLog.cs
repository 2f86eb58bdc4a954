namespace Berth.Daemon.Logging;

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Failed to mount storage pool {Pool}: {Error}")]
    public static partial void MountFailed(ILogger logger, string pool, string error);
}
