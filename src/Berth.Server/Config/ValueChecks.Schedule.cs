using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Server.Config;

internal static partial class ValueChecks
{
    private static readonly string[] ScheduleAliases =
        ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@startup", "@never"];

    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    // Minute, hour, day of month, month, day of week: allowed ranges and the names each field accepts.
    private static readonly (int Min, int Max, string[]? Names, int NameBase)[] CronFields =
    [
        (0, 59, null, 0),
        (0, 23, null, 0),
        (1, 31, null, 0),
        (1, 12, MonthNames, 1),
        (0, 7, DayNames, 0),
    ];

    /// <summary>
    /// <c>snapshots.schedule</c>: a five-field cron expression or an alias such as <c>@daily</c>; several may be
    /// given separated by ", " (comma and space, as LXD splits them, since cron fields use bare commas).
    /// </summary>
    public static readonly ValueCheck Schedule = v =>
    {
        const string Expected = "expected a cron expression with 5 fields like \"0 6 * * *\" or an alias like @daily";
        foreach (var part in v.Split(", "))
        {
            var schedule = part.Trim();
            if (schedule.StartsWith('@') ? !ScheduleAliases.Contains(schedule, StringComparer.Ordinal) : !IsCron(schedule))
            {
                return Expected;
            }
        }

        return null;
    };

    public static bool IsCron(string value)
    {
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != CronFields.Length)
        {
            return false;
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (!IsCronField(fields[i], CronFields[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsCronField(string field, (int Min, int Max, string[]? Names, int NameBase) spec)
    {
        foreach (var item in field.Split(','))
        {
            var rangeAndStep = item.Split('/');
            if (rangeAndStep.Length > 2)
            {
                return false;
            }

            if (rangeAndStep.Length == 2 && (!int.TryParse(rangeAndStep[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1))
            {
                return false;
            }

            var range = rangeAndStep[0];
            if (range == "*")
            {
                continue;
            }

            var bounds = range.Split('-');
            if (bounds.Length > 2)
            {
                return false;
            }

            int? previous = null;
            foreach (var bound in bounds)
            {
                if (!TryCronValue(bound, spec, out var n) || (previous is { } low && n < low))
                {
                    return false;
                }

                previous = n;
            }
        }

        return true;
    }

    private static bool TryCronValue(string text, (int Min, int Max, string[]? Names, int NameBase) spec, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return value >= spec.Min && value <= spec.Max;
        }

        var index = spec.Names is null ? -1 : Array.IndexOf(spec.Names, text.ToLowerInvariant());
        value = index + spec.NameBase;
        return index >= 0;
    }

    /// <summary>
    /// LXD's expiry format (<c>shared.GetExpiry</c>): space-separated <c>&lt;n&gt;&lt;unit&gt;</c> with units
    /// S (seconds), M (minutes), H (hours), d, w, m (months), y; each unit at most once. Used by
    /// <c>snapshots.expiry</c>, <c>core.remote_token_expiry</c> and <c>cluster.join_token_expiry</c>.
    /// </summary>
    public static readonly ValueCheck Expiry = v =>
    {
        const string Expected = "expected an expiry like 1d, 2w or \"1d 3H\" (units S, M, H, d, w, m, y)";
        var seen = new HashSet<char>();
        foreach (var token in v.Trim().Split(' '))
        {
            var match = ExpiryTokenRegex().Match(token);
            if (!match.Success || !seen.Add(match.Groups[2].Value[0]))
            {
                return Expected;
            }
        }

        return null;
    };

    [GeneratedRegex(@"^(\d+)(S|M|H|d|w|m|y)$", RegexOptions.CultureInvariant)]
    private static partial Regex ExpiryTokenRegex();
}
