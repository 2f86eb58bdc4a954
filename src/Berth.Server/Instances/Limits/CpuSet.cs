using System.Globalization;
using System.Text;

namespace Berth.Server.Instances.Limits;

/// <summary>CPU lists in the kernel's syntax (<c>0-1,3</c>): parsing, formatting and the host's online CPUs.</summary>
public static class CpuSet
{
    /// <summary>Parses <c>0-1,3</c>; null when the text is not a CPU list.</summary>
    public static SortedSet<int>? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cpus = new SortedSet<int>();
        foreach (var raw in text.Trim().Split(','))
        {
            var part = raw.Trim();
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (!TryCpu(part, out var cpu))
                {
                    return null;
                }

                cpus.Add(cpu);
                continue;
            }

            if (!TryCpu(part[..dash], out var low) || !TryCpu(part[(dash + 1)..], out var high) || high < low)
            {
                return null;
            }

            for (var cpu = low; cpu <= high; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        return cpus.Count > 0 ? cpus : null;
    }

    /// <summary>Formats a set compactly with ranges: {0,1,3} -> <c>0-1,3</c>.</summary>
    public static string Format(IEnumerable<int> cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        var sorted = cpus.Distinct().Order().ToList();
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(sorted[i].ToString(CultureInfo.InvariantCulture));
            if (j > i)
            {
                text.Append('-').Append(sorted[j].ToString(CultureInfo.InvariantCulture));
            }

            i = j + 1;
        }

        return text.ToString();
    }

    /// <summary>The host's online CPUs (/sys/devices/system/cpu/online), else 0..ProcessorCount-1.</summary>
    public static IReadOnlyList<int> HostOnline(string path = "/sys/devices/system/cpu/online")
    {
        try
        {
            if (Parse(File.ReadAllText(path)) is { } online)
            {
                return [.. online];
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return [.. Enumerable.Range(0, Environment.ProcessorCount)];
    }

    private static bool TryCpu(string text, out int cpu) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out cpu) && cpu < 65536;
}
