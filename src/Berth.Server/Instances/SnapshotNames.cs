using System.Globalization;

namespace Berth.Server.Instances;

/// <summary>Names for unnamed snapshots of instances and custom volumes, from <c>snapshots.pattern</c>.</summary>
public static class SnapshotNames
{
    /// <summary>
    /// A free name from <paramref name="pattern"/> (default <c>snap%d</c>): <c>%d</c> counts up from 0; a pattern
    /// without it gets <c>-0</c>, <c>-1</c>... appended when taken, as LXD does.
    /// </summary>
    public static string Next(string? pattern, IReadOnlySet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        pattern = string.IsNullOrEmpty(pattern) ? "snap%d" : pattern;
        if (!pattern.Contains("%d", StringComparison.Ordinal))
        {
            if (!taken.Contains(pattern))
            {
                return pattern;
            }

            pattern += "-%d";
        }

        for (var i = 0; ; i++)
        {
            var candidate = pattern.Replace("%d", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}
