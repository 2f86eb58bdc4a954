using System.CommandLine;
using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>berth warning</c>: the server's warnings (<c>/1.0/warnings</c>).</summary>
internal sealed class WarningCommand : Command
{
    public WarningCommand(CliApp app) : base("warning", "Manage warnings")
    {
        Subcommands.Add(new WarningListCommand(app));
        Subcommands.Add(new WarningAcknowledgeCommand(app));
        Subcommands.Add(new WarningShowCommand(app));
        Subcommands.Add(new WarningDeleteCommand(app));
    }

    internal static string Path(string uuid) => "/1.0/warnings/" + BerthClient.Escape(uuid);

    internal static (string Remote, string Uuid) Target(CliContext context, string raw)
    {
        var (remote, uuid) = context.ParseRemote(raw);
        return uuid.Length > 0 ? (remote, uuid) : throw new CliException("Missing warning UUID");
    }
}

/// <summary>
/// <c>berth warning list [remote:]</c>: UUID, TYPE, STATUS, SEVERITY, COUNT, PROJECT, LAST SEEN (<c>-c utSscpl</c>);
/// resolved warnings only with <c>--all</c>.
/// </summary>
internal sealed class WarningListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string> _columns = new("--columns", "-c") { Description = "Columns", DefaultValueFactory = _ => "utSscpLl" };
    private readonly Option<bool> _all = new("--all", "-a") { Description = "List all warnings" };

    public WarningListCommand(CliApp app) : base("list", "List warnings")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(_columns);
        Options.Add(FormatOption.Create());
        Options.Add(_all);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.ParseRemoteOnly(context.GetValue(_remote)));
        var (warnings, _) = await client.GetAsync("/1.0/warnings?recursion=1", ApiJsonContext.Wire.ListWarning, cancellationToken).ConfigureAwait(false);
        if (!context.GetValue(_all))
        {
            warnings = [.. warnings.Where(w => !string.Equals(w.Status, "resolved", StringComparison.OrdinalIgnoreCase))];
        }

        // Location (L) is only shown for clusters, which berthd never is.
        var columns = context.GetValue(_columns);
        var defaults = columns == "utSscpLl";
        var selected = new List<(string Header, Func<Warning, string> Data)>();
        foreach (var c in defaults ? "utSscpl" : columns.Replace(",", "", StringComparison.Ordinal))
        {
            selected.Add(c switch
            {
                'u' => ("UUID", w => w.Uuid),
                't' => ("TYPE", w => w.Type),
                'S' => ("STATUS", w => w.Status.ToUpperInvariant()),
                's' => ("SEVERITY", w => w.Severity.ToUpperInvariant()),
                'c' => ("COUNT", w => w.Count.ToString(CultureInfo.InvariantCulture)),
                'p' => ("PROJECT", w => w.Project),
                'f' => ("FIRST SEEN", w => Date(w.FirstSeenAt)),
                'l' => ("LAST SEEN", w => Date(w.LastSeenAt)),
                'L' => throw new CliException("Can't specify column L when not clustered"),
                _ => throw new CliException($"Unknown column shorthand char '{c}' in '{columns}'"),
            });
        }

        var rows = warnings.Select(w => selected.Select(s => s.Data(w)).ToArray()).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), [.. selected.Select(s => s.Header)], rows,
            _ => Render.Element(warnings, ApiJsonContext.Wire.ListWarning))).ConfigureAwait(false);
    }

    /// <summary>Go's <c>Jan 2, 2006 at 3:04pm (MST)</c>, in UTC.</summary>
    private static string Date(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return utc.ToString("MMM d, yyyy 'at' h:mm", CultureInfo.InvariantCulture) + (utc.Hour < 12 ? "am" : "pm") + " (UTC)";
    }
}

/// <summary><c>berth warning acknowledge [remote:]uuid</c>.</summary>
internal sealed class WarningAcknowledgeCommand : Command
{
    private readonly Argument<string> _uuid = new("warning-uuid") { Description = "[<remote>:]<warning-uuid>" };

    public WarningAcknowledgeCommand(CliApp app) : base("acknowledge", "Acknowledge warning")
    {
        Aliases.Add("ack");
        Arguments.Add(_uuid);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (remote, uuid) = WarningCommand.Target(context, context.GetValue(_uuid));
            await context.Client(remote).SendJsonAsync(HttpMethod.Put, WarningCommand.Path(uuid), new System.Text.Json.Nodes.JsonObject { ["status"] = "acknowledged" },
                CliJsonContext.Default.JsonObject, null, cancellationToken).ConfigureAwait(false);
        });
    }
}

/// <summary><c>berth warning show [remote:]uuid</c>: the warning as YAML.</summary>
internal sealed class WarningShowCommand : Command
{
    private readonly Argument<string> _uuid = new("warning-uuid") { Description = "[<remote>:]<warning-uuid>" };

    public WarningShowCommand(CliApp app) : base("show", "Show warning")
    {
        Arguments.Add(_uuid);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (remote, uuid) = WarningCommand.Target(context, context.GetValue(_uuid));
            var (warning, _) = await context.Client(remote).GetAsync(WarningCommand.Path(uuid), ApiJsonContext.Wire.Warning, cancellationToken).ConfigureAwait(false);
            await context.Out.WriteAsync(Render.Yaml(warning, ApiJsonContext.Wire.Warning)).ConfigureAwait(false);
        });
    }
}

/// <summary><c>berth warning delete [remote:]uuid</c> or <c>--all</c>.</summary>
internal sealed class WarningDeleteCommand : Command
{
    private readonly Argument<string?> _uuid = new("warning-uuid") { Description = "[<remote>:]<warning-uuid>", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _all = new("--all", "-a") { Description = "Delete all warnings" };

    public WarningDeleteCommand(CliApp app) : base("delete", "Delete warning")
    {
        Aliases.Add("rm");
        Arguments.Add(_uuid);
        Options.Add(_all);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var raw = context.GetValue(_uuid);
        if (!context.GetValue(_all))
        {
            var (remote, uuid) = WarningCommand.Target(context, raw ?? "");
            await context.Client(remote).RawAsync(HttpMethod.Delete, WarningCommand.Path(uuid), cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (raw is not null && context.ParseRemote(raw).Name.Length > 0)
        {
            throw new CliException("No need to specify a warning UUID when using --all");
        }

        var client = context.Client(context.ParseRemoteOnly(raw));
        var (warnings, _) = await client.GetAsync("/1.0/warnings?recursion=1", ApiJsonContext.Wire.ListWarning, cancellationToken).ConfigureAwait(false);
        foreach (var warning in warnings)
        {
            await client.RawAsync(HttpMethod.Delete, WarningCommand.Path(warning.Uuid), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
