using Berth.Api.Yaml;
using System.Text;
using System.Text.Json;

namespace Berth.Cli.Output;

/// <summary>The list formats every <c>list</c> command accepts (<c>--format</c>).</summary>
internal static class TableFormat
{
    public const string Table = "table";
    public const string Csv = "csv";
    public const string Json = "json";
    public const string Yaml = "yaml";
    public const string Compact = "compact";

    public static readonly string[] All = [Table, Csv, Json, Yaml, Compact];

    /// <summary>
    /// Renders rows as LXD 5.0's <c>lxc</c> does: rows sorted naturally; <c>table</c> with <c>+---+</c> borders, a
    /// rule under every row and centred headers; <c>compact</c> without borders; <c>csv</c> without a header;
    /// <c>json</c> and <c>yaml</c> print <paramref name="raw"/> (the API objects, given the format) instead of the rows.
    /// </summary>
    public static string Render(string format, IReadOnlyList<string> header, List<string[]> rows, Func<string, JsonElement> raw)
    {
        switch (format)
        {
            case Table:
                rows.Sort(NaturalComparer.Rows);
                return RenderTable(header, rows, borders: true);
            case Compact:
                rows.Sort(NaturalComparer.Rows);
                return RenderTable(header, rows, borders: false);
            case Csv:
                rows.Sort(NaturalComparer.Rows);
                return RenderCsv(rows);
            case Json:
                return JsonText.Compact(raw(format)) + "\n";
            case Yaml:
                return YamlWriter.Write(raw(format), plainTimestamps: true);
            default:
                throw new CliException($"Invalid format \"{format}\"");
        }
    }

    internal static string RenderTable(IReadOnlyList<string> header, IReadOnlyList<string[]> rows, bool borders)
    {
        var widths = new int[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            widths[i] = header[i].Length;
            foreach (var row in rows)
            {
                widths[i] = Math.Max(widths[i], i < row.Length ? row[i].Length : 0);
            }
        }

        var sb = new StringBuilder();
        var rule = new StringBuilder("+");
        foreach (var width in widths)
        {
            rule.Append('-', width + 2).Append('+');
        }

        if (borders)
        {
            sb.Append(rule).Append('\n');
        }

        WriteLine(sb, widths, header, borders, centre: true);
        if (borders)
        {
            sb.Append(rule).Append('\n');
        }

        foreach (var row in rows)
        {
            WriteLine(sb, widths, row, borders, centre: false);
            if (borders)
            {
                sb.Append(rule).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static void WriteLine(StringBuilder sb, int[] widths, IReadOnlyList<string> cells, bool borders, bool centre)
    {
        sb.Append(borders ? "|" : " ");
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            var gap = widths[i] - cell.Length;
            var left = centre ? gap / 2 : 0;
            sb.Append(' ').Append(' ', left).Append(cell).Append(' ', gap - left).Append(' ');
            sb.Append(borders ? "|" : (i == widths.Length - 1 ? " " : ""));
        }

        sb.Append('\n');
    }

    /// <summary>RFC 4180 as Go's encoding/csv writes it: quote fields with a comma, quote, CR/LF or a leading space.</summary>
    internal static string RenderCsv(IEnumerable<string[]> rows)
    {
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                var field = row[i];
                var quote = field.Length > 0 && (field.IndexOfAny([',', '"', '\r', '\n']) >= 0 || field[0] == ' ' || field[0] == '\t');
                sb.Append(quote ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field);
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
