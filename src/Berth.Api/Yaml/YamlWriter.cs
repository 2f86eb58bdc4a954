using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.Api.Yaml;

/// <summary>
/// Writes JSON values as YAML the way LXD's client prints them (Go's gopkg.in/yaml.v2): block style, two-space
/// indents, sequences not indented under their key, <c>{}</c>/<c>[]</c> for empty collections, strings quoted only
/// when they would read back as something else, long plain strings folded past column 80, multi-line strings as
/// literal blocks.
/// </summary>
public sealed partial class YamlWriter
{
    private const int BestWidth = 80;

    private readonly StringBuilder _out = new();
    private readonly bool _sortKeys;
    private readonly bool _plainTimestamps;
    private int _column;
    private bool _timeKey;

    private YamlWriter(bool sortKeys, bool plainTimestamps)
    {
        _sortKeys = sortKeys;
        _plainTimestamps = plainTimestamps;
    }

    /// <summary>
    /// YAML for <paramref name="value"/>. <paramref name="sortKeys"/> sorts every object's keys (Go maps);
    /// otherwise JSON order is kept (Go structs). <paramref name="plainTimestamps"/> leaves RFC 3339 strings of
    /// <c>*_at</c> keys unquoted, as yaml.v2 does for <c>time.Time</c> fields of structs.
    /// </summary>
    public static string Write(JsonElement value, bool sortKeys = false, bool plainTimestamps = false)
    {
        var writer = new YamlWriter(sortKeys, plainTimestamps);
        writer.WriteTop(value);
        return writer._out.ToString();
    }

    private void WriteTop(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasItems(value):
                WriteMapping(value, 0);
                break;
            case JsonValueKind.Array when HasItems(value):
                WriteSequence(value, 0);
                break;
            default:
                WriteInline(value, 0);
                Newline();
                break;
        }
    }

    private void WriteMapping(JsonElement value, int indent)
    {
        var first = true;
        foreach (var property in Properties(value))
        {
            if (!first)
            {
                Indent(indent);
            }

            first = false;
            WriteKey(property.Name);
            _timeKey = property.Name.EndsWith("_at", StringComparison.Ordinal);
            WriteValueAfterKey(property.Value, indent);
        }
    }

    private void WriteSequence(JsonElement value, int indent)
    {
        var first = true;
        foreach (var item in value.EnumerateArray())
        {
            if (!first)
            {
                Indent(indent);
            }

            first = false;
            Append("-");
            if (item.ValueKind == JsonValueKind.Object && HasItems(item))
            {
                Append(" ");
                WriteMapping(item, indent + 2);
            }
            else if (item.ValueKind == JsonValueKind.Array && HasItems(item))
            {
                Append(" ");
                WriteSequence(item, indent + 2);
            }
            else
            {
                Append(" ");
                WriteInline(item, indent + 2);
                Newline();
            }
        }
    }

    private void WriteValueAfterKey(JsonElement value, int indent)
    {
        if (value.ValueKind == JsonValueKind.Object && HasItems(value))
        {
            Newline();
            Indent(indent + 2);
            WriteMapping(value, indent + 2);
        }
        else if (value.ValueKind == JsonValueKind.Array && HasItems(value))
        {
            Newline();
            Indent(indent);
            WriteSequence(value, indent);
        }
        else
        {
            Append(" ");
            WriteInline(value, indent + 2);
            Newline();
        }
    }

    private void WriteKey(string key)
    {
        WriteString(key, 0, simpleKey: true);
        Append(":");
    }

    private void WriteInline(JsonElement value, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                Append("{}");
                break;
            case JsonValueKind.Array:
                Append("[]");
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, indent, simpleKey: false);
                break;
            case JsonValueKind.Number:
                Append(value.GetRawText());
                break;
            case JsonValueKind.True:
                Append("true");
                break;
            case JsonValueKind.False:
                Append("false");
                break;
            default:
                Append("null");
                break;
        }
    }

    private void WriteString(string value, int indent, bool simpleKey)
    {
        if (!simpleKey && value.Contains('\n', StringComparison.Ordinal) && IsPrintable(value))
        {
            WriteLiteral(value, indent);
            return;
        }

        if (!ResolvesToString(value) && !(_plainTimestamps && _timeKey && !simpleKey && IsTimestamp(value)))
        {
            WriteDoubleQuoted(value);
        }
        else if (!IsPrintable(value))
        {
            WriteDoubleQuoted(value);
        }
        else if (PlainAllowed(value))
        {
            WriteFolded(value, indent, simpleKey, quote: false);
        }
        else
        {
            WriteFolded(value, indent, simpleKey, quote: true);
        }
    }

    /// <summary>Plain or single-quoted text; past column 80 a single space becomes a line break (yaml.v2 folding).</summary>
    private void WriteFolded(string value, int indent, bool simpleKey, bool quote)
    {
        if (quote)
        {
            Append("'");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == ' ' && !simpleKey && _column > BestWidth && i + 1 < value.Length && value[i + 1] != ' ' && (i == 0 || value[i - 1] != ' '))
            {
                Newline();
                Indent(indent);
                continue;
            }

            if (quote && c == '\'')
            {
                Append("''");
                continue;
            }

            Append(c.ToString());
        }

        if (quote)
        {
            Append("'");
        }
    }

    private void WriteLiteral(string value, int indent)
    {
        var chomp = value.EndsWith('\n') ? (value.EndsWith("\n\n", StringComparison.Ordinal) ? "+" : "") : "-";
        var indicator = value.StartsWith(' ') || value.StartsWith('\n') ? "2" : "";
        Append("|" + indicator + chomp);
        var body = value.EndsWith('\n') ? value[..^1] : value;
        foreach (var line in body.Split('\n'))
        {
            Newline();
            if (line.Length > 0)
            {
                Indent(indent);
                Append(line);
            }
        }
    }

    private void WriteDoubleQuoted(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '\0' => "\\0",
                _ when c < ' ' || c == '\x7f' => "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        sb.Append('"');
        Append(sb.ToString());
    }

    private IEnumerable<JsonProperty> Properties(JsonElement value) =>
        _sortKeys ? value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal) : value.EnumerateObject();

    private static bool HasItems(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.Array => value.GetArrayLength() > 0,
        _ => false,
    };

    private void Append(string text)
    {
        _out.Append(text);
        _column += text.Length;
    }

    private void Newline()
    {
        _out.Append('\n');
        _column = 0;
    }

    private void Indent(int indent)
    {
        _out.Append(' ', indent);
        _column = indent;
    }

    /// <summary>True when a plain scalar with this text would be read back as a string (yaml.v2 <c>resolve</c>).</summary>
    public static bool ResolvesToString(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        return value switch
        {
            "~" or "null" or "Null" or "NULL" => false,
            "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO" => false,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => false,
            "on" or "On" or "ON" or "off" or "Off" or "OFF" => false,
            ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" => false,
            ".nan" or ".NaN" or ".NAN" or "<<" => false,
            _ => !NumberPattern().IsMatch(value) && !Base60Pattern().IsMatch(value) && !IsTimestamp(value),
        };
    }

    public static bool IsTimestamp(string value) => value.Length >= 8 && char.IsAsciiDigit(value[0]) && TimestampPattern().IsMatch(value);

    /// <summary>Whether libyaml would emit the text as a plain block scalar (no indicators, no edge spaces).</summary>
    public static bool PlainAllowed(string value)
    {
        if (value.Length == 0 || value[0] == ' ' || value[^1] == ' ')
        {
            return false;
        }

        if (value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var followedBySpace = i + 1 >= value.Length || value[i + 1] is ' ' or '\t' or '\n';
            if (i == 0)
            {
                switch (c)
                {
                    case '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                        return false;
                    case '?' or ':' or '-' when followedBySpace:
                        return false;
                }
            }
            else
            {
                if (c == ':' && followedBySpace)
                {
                    return false;
                }

                if (c == '#' && value[i - 1] is ' ' or '\t')
                {
                    return false;
                }
            }

            if (c is '\t')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPrintable(string value)
    {
        foreach (var c in value)
        {
            if ((c < ' ' && c != '\n') || c == '\x7f' || c == '\uFEFF')
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Base60Pattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();
}
