namespace Berth.Daemon.Logging;

internal static partial class HttpsLog
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Listening with HTTPS on {Address} ({Key})")]
    public static partial void Listening(ILogger logger, string key, string address);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Stopped listening with HTTPS on {Key}")]
    public static partial void Stopped(ILogger logger, string key);

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "Cannot listen on {Key} {Address}: {Error}")]
    public static partial void BindFailed(ILogger logger, string key, string address, string error);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "Bad trust password from {Address}")]
    public static partial void BadPassword(ILogger logger, string address);
}
