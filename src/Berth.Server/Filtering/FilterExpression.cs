using System.Text;
using System.Text.Json;
using Berth.Api;

namespace Berth.Server.Filtering;

/// <summary>
/// LXD's <c>filter=</c> language: clauses <c>[not] field eq|ne value</c> joined by <c>and</c>/<c>or</c>, evaluated
/// left to right. Fields are dotted JSON paths; a map's remaining path is its key (<c>config.image.os</c>).
/// </summary>
public sealed class FilterExpression
{
    public static readonly FilterExpression All = new([]);

    private readonly IReadOnlyList<Clause> _clauses;

    private FilterExpression(IReadOnlyList<Clause> clauses) => _clauses = clauses;

    public static FilterExpression Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var tokens = Tokenize(text);
        var clauses = new List<Clause>();
        var i = 0;
        var joiner = "";
        while (i < tokens.Count)
        {
            var negate = false;
            if (tokens[i].Equals("not", StringComparison.OrdinalIgnoreCase))
            {
                negate = true;
                i++;
            }

            if (tokens.Count - i < 3)
            {
                throw new ApiException(400, $"Invalid filter: incomplete clause in \"{text}\"");
            }

            var op = tokens[i + 1].ToLowerInvariant();
            if (op is not ("eq" or "ne"))
            {
                throw new ApiException(400, $"Invalid filter: unsupported operator \"{tokens[i + 1]}\"");
            }

            clauses.Add(new Clause(joiner, negate, tokens[i].Split('.'), op == "ne", tokens[i + 2]));
            i += 3;
            if (i < tokens.Count)
            {
                joiner = tokens[i].ToLowerInvariant();
                if (joiner is not ("and" or "or") || i + 1 >= tokens.Count)
                {
                    throw new ApiException(400, $"Invalid filter: expected \"and\" or \"or\" near \"{tokens[i]}\"");
                }

                i++;
            }
        }

        return new FilterExpression(clauses);
    }

    public bool Matches(JsonElement entity)
    {
        var result = true;
        foreach (var clause in _clauses)
        {
            var value = clause.Evaluate(entity);
            result = clause.Joiner switch
            {
                "and" => result && value,
                "or" => result || value,
                _ => value,
            };
        }

        return result;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var quoted = false;
        foreach (var c in text)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                quoted = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (current.Length > 0 || quoted)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    quoted = false;
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (quote is not null)
        {
            throw new ApiException(400, "Invalid filter: unterminated quote");
        }

        if (current.Length > 0 || quoted)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    private sealed record Clause(string Joiner, bool Negate, string[] Path, bool NotEqual, string Value)
    {
        public bool Evaluate(JsonElement entity)
        {
            var found = Resolve(entity, Path, 0, out var text) && text == Value;
            if (NotEqual)
            {
                found = !found;
            }

            return Negate ? !found : found;
        }

        private static bool Resolve(JsonElement element, string[] path, int start, out string text)
        {
            text = "";
            if (start == path.Length)
            {
                text = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString() ?? "",
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null or JsonValueKind.Undefined => "",
                    _ => element.GetRawText(),
                };
                return true;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            // Longest match first, so map keys with dots ("image.os") win over nested objects.
            for (var end = path.Length; end > start; end--)
            {
                var name = string.Join('.', path[start..end]);
                if (element.TryGetProperty(name, out var child) && Resolve(child, path, end, out text))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
