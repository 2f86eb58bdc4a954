using Berth.Api.Yaml;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth monitor [remote:]</c>: prints each event of <c>/1.0/events</c> as YAML followed by two newlines, as
/// <c>lxc monitor</c> 5.0 does; <c>--pretty</c> prints logging and lifecycle events as single log lines.
/// </summary>
internal sealed class MonitorCommand : Command
{
    private static readonly string[] Levels = ["debug", "info", "warn", "error", "crit"];

    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string[]> _types = new("--type") { Description = "Event type to listen for (logging, operation, lifecycle); repeatable", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _pretty = new("--pretty") { Description = "Pretty rendering (logging and lifecycle events as log lines)" };
    private readonly Option<bool> _allProjects = new("--all-projects") { Description = "Show events from all projects" };
    private readonly Option<string?> _logLevel = new("--loglevel") { Description = "Minimum level for logging events (debug, info, warn, error, crit)" };
    private readonly Option<string> _format = new("--format", "-f") { Description = "Format (json|yaml)", DefaultValueFactory = _ => "yaml" };

    public MonitorCommand(CliApp app) : base("monitor", "Monitor a local or remote server")
    {
        Arguments.Add(_remote);
        Options.Add(_types);
        Options.Add(_pretty);
        Options.Add(_allProjects);
        Options.Add(_logLevel);
        _logLevel.AcceptOnlyFromAmong(Levels);
        _format.AcceptOnlyFromAmong("json", "yaml");
        Options.Add(_format);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.ParseRemoteOnly(context.GetValue(_remote)));
        var types = (context.GetValue(_types) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var pretty = context.GetValue(_pretty);
        var json = context.GetValue(_format) == "json";
        var minimum = context.GetValue(_logLevel) is { } level ? Array.IndexOf(Levels, level) : -1;

        await foreach (var frame in client.GetEventsRawAsync(types, context.GetValue(_allProjects), cancellationToken).ConfigureAwait(false))
        {
            Event ev;
            try
            {
                ev = frame.Deserialize(ApiJsonContext.Wire.Event)!;
            }
            catch (JsonException)
            {
                continue;
            }

            if (minimum > 0 && ev.Type == EventType.Logging && LevelOf(ev) < minimum)
            {
                continue;
            }

            var text = pretty ? Pretty(ev) : null;
            text ??= json ? JsonText.Compact(frame) + "\n" : FormatYaml(frame);
            await context.Out.WriteAsync(text).ConfigureAwait(false);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An event as lxc 5.0 prints it: YAML with sorted keys (it goes through a map), then a blank line.</summary>
    internal static string FormatYaml(JsonElement frame) => YamlWriter.Write(frame, sortKeys: true) + "\n\n";

    /// <summary>
    /// A logfmt line for logging and lifecycle events (<c>time="..." level=info msg="..." key=value</c>); null for
    /// other types, which stay YAML.
    /// </summary>
    internal static string? Pretty(Event ev)
    {
        var time = ev.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (ev.Type == EventType.Logging)
        {
            var log = ev.Metadata.Deserialize(ApiJsonContext.Wire.EventLogging);
            if (log is null)
            {
                return null;
            }

            var sb = new StringBuilder($"time=\"{time}\" level={log.Level} msg={LogValue(log.Message)}");
            foreach (var key in log.Context.Keys.Order(StringComparer.Ordinal))
            {
                sb.Append(' ').Append(key).Append('=').Append(LogValue(log.Context[key]));
            }

            return sb.Append('\n').ToString();
        }

        if (ev.Type == EventType.Lifecycle)
        {
            var lifecycle = ev.Metadata.Deserialize(ApiJsonContext.Wire.EventLifecycle);
            if (lifecycle is null)
            {
                return null;
            }

            var message = $"Action: {lifecycle.Action}, Source: {lifecycle.Source}";
            if (lifecycle.Requestor is { } requestor)
            {
                message += $", Requestor: {requestor.Protocol}/{requestor.Username} ({requestor.Address})";
            }

            return $"time=\"{time}\" level=info msg={LogValue(message)}\n";
        }

        return null;
    }

    private static int LevelOf(Event ev)
    {
        if (ev.Metadata.ValueKind == JsonValueKind.Object && ev.Metadata.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.String)
        {
            var name = level.GetString() switch { "dbug" => "debug", "eror" => "error", "warning" => "warn", var other => other };
            return Array.IndexOf(Levels, name);
        }

        return int.MaxValue;
    }

    private static string LogValue(string value) =>
        value.Length > 0 && value.All(c => c > ' ' && c != '"' && c != '=' && c < 0x7f) ? value : JsonSerializer.Serialize(value, ApiJsonContext.Wire.String);
}
