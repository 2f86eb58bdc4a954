using System.Globalization;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>A process's start time (clock ticks since boot, /proc/&lt;pid&gt;/stat field 22): with the pid, it names one process.</summary>
internal static class ProcessStart
{
    /// <summary>The start time of <paramref name="pid"/>; 0 when it is gone or a zombie.</summary>
    public static long Of(int pid)
    {
        if (KernelFiles.Read($"/proc/{pid}/stat") is not { } stat)
        {
            return 0;
        }

        // comm may hold spaces and parentheses: the fields follow the last ')'. Field 3 (state) is the first there.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && fields[0] != "Z" && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : 0;
    }
}
