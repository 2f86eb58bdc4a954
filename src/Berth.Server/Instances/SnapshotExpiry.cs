using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Server.Instances;

/// <summary>LXD's expiry strings (<c>snapshots.expiry</c>): space-separated <c>&lt;n&gt;&lt;unit&gt;</c>, units S M H d w m y.</summary>
public static partial class SnapshotExpiry
{
    /// <summary>When a snapshot taken at <paramref name="now"/> expires; null for no expiry (empty or unreadable).</summary>
    public static DateTimeOffset? From(string? expiry, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(expiry))
        {
            return null;
        }

        var at = now;
        foreach (var token in expiry.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Token().Match(token);
            if (!match.Success)
            {
                return null;
            }

            var n = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            at = match.Groups[2].Value switch
            {
                "S" => at.AddSeconds(n),
                "M" => at.AddMinutes(n),
                "H" => at.AddHours(n),
                "d" => at.AddDays(n),
                "w" => at.AddDays(7 * n),
                "m" => at.AddMonths(n),
                _ => at.AddYears(n),
            };
        }

        return at == now ? null : at;
    }

    [GeneratedRegex(@"^(\d+)(S|M|H|d|w|m|y)$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
