using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Server.Config;

internal static partial class ValueChecks
{
    private static readonly Dictionary<string, long> ByteMultipliers = new(StringComparer.Ordinal)
    {
        [""] = 1,
        ["B"] = 1,
        [" bytes"] = 1,
        ["kB"] = 1000L,
        ["MB"] = 1000L * 1000,
        ["GB"] = 1000L * 1000 * 1000,
        ["TB"] = 1000L * 1000 * 1000 * 1000,
        ["PB"] = 1000L * 1000 * 1000 * 1000 * 1000,
        ["EB"] = 1000L * 1000 * 1000 * 1000 * 1000 * 1000,
        ["KiB"] = 1L << 10,
        ["MiB"] = 1L << 20,
        ["GiB"] = 1L << 30,
        ["TiB"] = 1L << 40,
        ["PiB"] = 1L << 50,
        ["EiB"] = 1L << 60,
    };

    private static readonly Dictionary<string, long> BitMultipliers = new(StringComparer.Ordinal)
    {
        ["bit"] = 1,
        ["kbit"] = 1000L,
        ["Mbit"] = 1000L * 1000,
        ["Gbit"] = 1000L * 1000 * 1000,
        ["Tbit"] = 1000L * 1000 * 1000 * 1000,
        ["Pbit"] = 1000L * 1000 * 1000 * 1000 * 1000,
        ["Ebit"] = 1000L * 1000 * 1000 * 1000 * 1000 * 1000,
        ["Kibit"] = 1L << 10,
        ["Mibit"] = 1L << 20,
        ["Gibit"] = 1L << 30,
        ["Tibit"] = 1L << 40,
        ["Pibit"] = 1L << 50,
        ["Eibit"] = 1L << 60,
    };

    /// <summary>
    /// LXD's <c>units.ParseByteSizeString</c>: an integer followed by nothing, <c>B</c>, an SI suffix
    /// (<c>kB</c>..<c>EB</c>) or an IEC one (<c>KiB</c>..<c>EiB</c>).
    /// </summary>
    public static bool TryParseByteSize(string value, out long bytes) => TryParseWithUnits(value, ByteMultipliers, out bytes);

    /// <summary>LXD's <c>units.ParseBitSizeString</c>: an integer followed by <c>bit</c>, <c>kbit</c>..<c>Ebit</c> or <c>Kibit</c>..<c>Eibit</c>.</summary>
    public static bool TryParseBitRate(string value, out long bits) => TryParseWithUnits(value, BitMultipliers, out bits);

    private static bool TryParseWithUnits(string value, Dictionary<string, long> multipliers, out long result)
    {
        result = 0;
        var digits = 0;
        while (digits < value.Length && char.IsAsciiDigit(value[digits]))
        {
            digits++;
        }

        if (digits == 0
            || !multipliers.TryGetValue(value[digits..], out var multiplier)
            || !long.TryParse(value.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        try
        {
            result = checked(number * multiplier);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>An integer percentage 0..100 written <c>N%</c>.</summary>
    public static bool IsPercent(string value) =>
        value.EndsWith('%')
        && int.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
        && n <= 100;

    public static readonly ValueCheck ByteSize = v =>
        TryParseByteSize(v, out _) ? null : "expected bytes like 512MiB, 1GB or 1073741824";

    /// <summary><c>limits.memory</c>: bytes or a percentage of the host's memory.</summary>
    public static readonly ValueCheck MemoryLimit = v =>
        IsPercent(v) || TryParseByteSize(v, out _) ? null : "expected bytes like 512MiB or a percentage";

    public static readonly ValueCheck BitRate = v =>
        TryParseBitRate(v, out _) ? null : "expected a bit rate like 100Mbit or 1Gbit";

    /// <summary>Disk <c>limits.read</c>/<c>write</c>/<c>max</c>: bytes per second or <c>Niops</c>.</summary>
    public static readonly ValueCheck DiskRate = v =>
        (v.EndsWith("iops", StringComparison.Ordinal) && ulong.TryParse(v.AsSpan(0, v.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        || TryParseByteSize(v, out _)
            ? null
            : "expected bytes per second like 10MB or an IOPS count like 100iops";

    /// <summary>
    /// <c>limits.cpu</c>: a CPU count (&gt;= 1) or a set of CPU ids such as <c>0-3,7</c>. A lone number is a
    /// count, as in LXD; <c>0,2</c> or <c>3-3</c> pin.
    /// </summary>
    public static readonly ValueCheck CpuLimit = v =>
    {
        if (ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count >= 1 ? null : "expected a CPU count of at least 1 or a CPU set like 0-3,7";
        }

        return IsCpuSet(v) ? null : "expected a CPU count like 2 or a CPU set like 0-3,7";
    };

    /// <summary><c>limits.cpu.nodes</c> and similar: a set of ids such as <c>0-1,3</c>.</summary>
    public static readonly ValueCheck IdSet = v => IsCpuSet(v) ? null : "expected a set of ids like 0-1,3";

    /// <summary>A comma-separated list of <c>N</c> or <c>N-M</c> with N &lt;= M.</summary>
    public static bool IsCpuSet(string value)
    {
        foreach (var chunk in value.Split(','))
        {
            var bounds = chunk.Split('-');
            if (bounds.Length > 2)
            {
                return false;
            }

            if (!uint.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
            {
                return false;
            }

            if (bounds.Length == 2 && (!uint.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high) || high < low))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>limits.cpu.allowance</c>: <c>N%</c> or a CFS quota/period pair such as <c>25ms/100ms</c>.</summary>
    public static readonly ValueCheck CpuAllowance = v =>
    {
        const string Expected = "expected a percentage like 50% or a time slice like 25ms/100ms";
        if (v.EndsWith('%'))
        {
            return uint.TryParse(v.AsSpan(0, v.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : Expected;
        }

        var parts = v.Split('/');
        return parts.Length == 2 && IsGoDuration(parts[0]) && IsGoDuration(parts[1]) ? null : Expected;
    };

    /// <summary>A Go <c>time.ParseDuration</c> string such as <c>100ms</c>, <c>1h30m</c> or <c>1.5s</c>.</summary>
    public static bool IsGoDuration(string value) => value == "0" || GoDurationRegex().IsMatch(value);

    public static readonly ValueCheck GoDuration = v => IsGoDuration(v) ? null : "expected a duration like 30s, 100ms or 1h30m";

    [GeneratedRegex(@"^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDurationRegex();
}
