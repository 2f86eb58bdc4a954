using System.Globalization;

namespace Berth.Server.Instances;

/// <summary>
/// Whether a <c>snapshots.schedule</c> fires in a given minute: five-field cron (numbers, names, ranges, steps,
/// lists) or an alias, several separated by ", " as LXD splits them. Values are validated on set
/// (<c>ValueChecks.Schedule</c>); anything unreadable here simply never fires.
/// </summary>
public static class CronSchedule
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static bool Matches(string schedule, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var t = time.UtcDateTime;
        return schedule.Split(", ").Select(s => s.Trim()).Any(s => MatchesOne(Expand(s), t));
    }

    private static string? Expand(string schedule) => schedule switch
    {
        "@yearly" or "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" or "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ when schedule.StartsWith('@') => null, // @startup and @never do not fire on the clock
        _ => schedule,
    };

    private static bool MatchesOne(string? cron, DateTime t)
    {
        var f = cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f is not { Length: 5 })
        {
            return false;
        }

        var dow = (int)t.DayOfWeek;
        var domMatch = Field(f[2], t.Day, 1, 31, null, 0);
        var dowMatch = Field(f[4], dow, 0, 7, Days, 0) || (dow == 0 && Field(f[4], 7, 0, 7, Days, 0));

        // Cron's rule: when both day fields are restricted, either may match.
        var days = f[2] != "*" && f[4] != "*" ? domMatch || dowMatch : domMatch && dowMatch;
        return Field(f[0], t.Minute, 0, 59, null, 0) && Field(f[1], t.Hour, 0, 23, null, 0) && Field(f[3], t.Month, 1, 12, Months, 1) && days;
    }

    private static bool Field(string field, int value, int min, int max, string[]? names, int nameBase)
    {
        foreach (var item in field.Split(','))
        {
            var parts = item.Split('/');
            var step = parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;
            int low, high;
            if (parts[0] == "*")
            {
                (low, high) = (min, max);
            }
            else
            {
                var bounds = parts[0].Split('-');
                if (!TryValue(bounds[0], names, nameBase, out low))
                {
                    continue;
                }

                high = low;
                if (bounds.Length == 2 && !TryValue(bounds[1], names, nameBase, out high))
                {
                    continue;
                }

                if (bounds.Length == 1 && parts.Length == 2)
                {
                    high = max; // "5/15": from 5 every 15
                }
            }

            if (value >= low && value <= high && (value - low) % step == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryValue(string text, string[]? names, int nameBase, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var index = names is null ? -1 : Array.IndexOf(names, text.ToLowerInvariant());
        value = index + nameBase;
        return index >= 0;
    }
}
