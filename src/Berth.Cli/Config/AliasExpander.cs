using System.Text.RegularExpressions;

namespace Berth.Cli.Config;

/// <summary>
/// lxc's command aliases (lxc/main_aliases.go): the first non-flag arguments are matched against the user's aliases,
/// then the built-in ones; the target replaces them, with <c>@ARGS@</c> (the remaining arguments) and
/// <c>@ARG1@</c>, <c>@ARG2@</c>... substituted. A target starting with <c>/</c> is an external command.
/// </summary>
internal static partial class AliasExpander
{
    /// <summary>The built-in aliases, consulted only when no user alias matches.</summary>
    public static readonly IReadOnlyDictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["shell"] = "exec @ARGS@ -- su -l",
    };

    /// <summary>
    /// The expanded arguments (without the program name; an external command's path first, with
    /// <paramref name="external"/> true), or null when no alias matches.
    /// </summary>
    public static List<string>? Expand(IReadOnlyDictionary<string, string> aliases, IReadOnlyList<string> args, out bool external)
    {
        external = false;
        var flags = args.TakeWhile(a => a.StartsWith('-')).ToList();
        var rest = args.Skip(flags.Count).ToList();
        if ((Find(aliases, rest) ?? Find(Defaults, rest)) is not { } alias)
        {
            return null;
        }

        var (key, value) = alias;

        external = value[0].StartsWith('/');
        var expanded = external ? [] : new List<string>(flags);
        var atArgs = rest.Skip(key.Length).ToList();

        // Arguments referenced as @ARGn@ are taken out of @ARGS@.
        var numbered = new Dictionary<int, string>();
        foreach (var part in value)
        {
            foreach (Match match in NumberedArg().Matches(part))
            {
                if (!int.TryParse(match.Groups[1].Value, out var n))
                {
                    throw new CliException($"Invalid argument \"{match.Value}\"");
                }

                if (n > atArgs.Count)
                {
                    throw new CliException($"Found alias \"{string.Join(' ', key)}\" references an argument outside the given number");
                }

                numbered[n] = atArgs[n - 1];
            }
        }

        for (var i = atArgs.Count - 1; i >= 0; i--)
        {
            if (numbered.ContainsKey(i + 1))
            {
                atArgs.RemoveAt(i);
            }
        }

        var usedArgs = false;
        foreach (var part in value)
        {
            if (part == "@ARGS@")
            {
                expanded.AddRange(atArgs);
                usedArgs = true;
                continue;
            }

            expanded.Add(NumberedArg().Replace(part, m => numbered.GetValueOrDefault(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), "")));
        }

        if (!usedArgs)
        {
            expanded.AddRange(atArgs);
        }

        return expanded;
    }

    /// <summary>
    /// The alias whose words start <paramref name="args"/>; the longest wins where several match (lxc takes whichever
    /// its map iteration meets first).
    /// </summary>
    private static (string[] Key, string[] Value)? Find(IReadOnlyDictionary<string, string> aliases, List<string> args)
    {
        (string[] Key, string[] Value)? best = null;
        foreach (var (name, target) in aliases)
        {
            var key = name.Split(' ');
            if (key.Length <= args.Count && key.Select((word, i) => args[i] == word).All(b => b) && (best is null || key.Length > best.Value.Key.Length))
            {
                best = (key, target.Split(' '));
            }
        }

        return best;
    }

    [GeneratedRegex(@"@ARG(\d+)@")]
    private static partial Regex NumberedArg();
}
