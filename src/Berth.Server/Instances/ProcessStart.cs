using System.Globalization;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>A process's start time (clock ticks since boot, /proc/&lt;pid&gt;/stat field 22): with the pid, it names one process.</summary>
internal static class ProcessStart
{
    /// <summary>The start time of the process whose stat file is kept open; 0 when it is gone or a zombie.</summary>
    public static long Of(KernelFile stat) => Parse(KernelFiles.Read(stat, out _));

    internal static long Parse(string? stat)
    {
        if (stat is null)
        {
            return 0;
        }

        // comm may hold spaces and parentheses: the fields follow the last ')'. Field 3 (state) is the first there.
        var rest = stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart(' ');
        if (rest.IsEmpty || rest[0] == 'Z')
        {
            return 0;
        }

        for (var field = 0; field < 19; field++)
        {
            var space = rest.IndexOf(' ');
            if (space < 0)
            {
                return 0;
            }

            rest = rest[(space + 1)..];
        }

        var end = rest.IndexOf(' ');
        return long.TryParse(end < 0 ? rest : rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : 0;
    }
}
