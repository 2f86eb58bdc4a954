using System.Globalization;
using System.Text;
using Berth.Server.Events;

namespace Berth.Daemon.Logging;

/// <summary>
/// Writes log lines in LXD's logfmt style (<c>time="..." level=info msg="..."</c>) to the log file or stderr, and
/// forwards them to <c>/1.0/events</c> listeners of type logging.
/// </summary>
internal sealed class BerthLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Lock _lock = new();
    private readonly Func<EventHub?> _events;

    public BerthLoggerProvider(string? logFile, LogLevel minimum, Func<EventHub?> events)
    {
        Minimum = minimum;
        _events = events;
        if (logFile is null)
        {
            _writer = Console.Error;
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
            _writer = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
            _ownsWriter = true;
        }
    }

    public LogLevel Minimum { get; }

    public ILogger CreateLogger(string categoryName) => new BerthLogger(this, categoryName);

    public void Dispose()
    {
        if (_ownsWriter)
        {
            _writer.Dispose();
        }
    }

    internal void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var name = LevelName(level);
        var line = new StringBuilder(128)
            .Append("time=\"").Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append("\" level=").Append(name)
            .Append(" msg=\"").Append(message.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        if (exception is not null)
        {
            line.Append(" err=\"").Append(exception.Message.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        lock (_lock)
        {
            _writer.WriteLine(line.ToString());
        }

        _events()?.PublishLogging(name, message, new Dictionary<string, string> { ["category"] = category });
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "crit",
    };

    private sealed class BerthLogger(BerthLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= provider.Minimum && (logLevel >= LogLevel.Warning || !category.StartsWith("Microsoft.", StringComparison.Ordinal));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
