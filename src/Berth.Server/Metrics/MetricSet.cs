using System.Globalization;
using System.Text;

namespace Berth.Server.Metrics;

/// <summary>Samples by metric, rendered as LXD's OpenMetrics text (metrics in type order, labels sorted, "# EOF").</summary>
public sealed class MetricSet
{
    private readonly SortedDictionary<MetricType, List<(SortedDictionary<string, string> Labels, double Value)>> _samples = [];

    public void Add(MetricType type, double value, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!_samples.TryGetValue(type, out var list))
        {
            _samples[type] = list = [];
        }

        list.Add((new SortedDictionary<string, string>(labels.ToDictionary(), StringComparer.Ordinal), value));
    }

    public string Render()
    {
        var text = new StringBuilder();
        foreach (var (type, samples) in _samples)
        {
            text.Append("# HELP ").Append(type.Name()).Append(' ').Append(type.Help()).Append('\n');
            text.Append("# TYPE ").Append(type.Name()).Append(' ').Append(type.Kind()).Append('\n');
            foreach (var (labels, value) in samples)
            {
                text.Append(type.Name());
                if (labels.Count > 0)
                {
                    text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")).Append('}');
                }

                text.Append(' ').Append(FormatValue(value)).Append('\n');
            }
        }

        return text.Append("# EOF\n").ToString();
    }

    /// <summary>
    /// A value as Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> writes it (LXD's format): the shortest digits that
    /// read back exactly, in exponent form when the decimal exponent is below -4 or at least 6 (2.4683584e+10).
    /// </summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return "0";
        }

        // .NET's "R" gives the same shortest round-trip digits; only the layout differs.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var shift = exponentAt < 0 ? 0 : int.Parse(shortest.AsSpan(exponentAt + 1), CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integer = dot < 0 ? mantissa : mantissa[..dot];
        var all = integer + (dot < 0 ? "" : mantissa[(dot + 1)..]);
        var significant = all.TrimStart('0');
        var point = integer.Length - (all.Length - significant.Length) + shift; // value = 0.<digits> x 10^point
        var digits = significant.TrimEnd('0');
        var exponent = point - 1;
        var sign = value < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 6)
        {
            var fraction = digits.Length > 1 ? "." + digits[1..] : "";
            return $"{sign}{digits[0]}{fraction}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        if (point <= 0)
        {
            return $"{sign}0.{new string('0', -point)}{digits}";
        }

        return point >= digits.Length ? sign + digits + new string('0', point - digits.Length) : $"{sign}{digits[..point]}.{digits[point..]}";
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
