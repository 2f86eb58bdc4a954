namespace Berth.Cli;

/// <summary>The <c>key=value...</c> / <c>key value</c> argument forms of the <c>set</c> commands.</summary>
internal static class KeyValues
{
    /// <summary>
    /// <c>["a=1", "b=2"]</c> gives two pairs; <c>["a", "1"]</c> gives <c>a=1</c> (lxc's older form, only with exactly
    /// two arguments and no <c>=</c> in the key). Values may themselves contain <c>=</c>.
    /// </summary>
    public static List<KeyValuePair<string, string>> Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new CliException("Missing key=value");
        }

        if (args.Count == 2 && !args[0].Contains('=', StringComparison.Ordinal))
        {
            return [new(args[0], args[1])];
        }

        var pairs = new List<KeyValuePair<string, string>>(args.Count);
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"Invalid key=value configuration: {arg}");
            }

            pairs.Add(new(arg[..eq], arg[(eq + 1)..]));
        }

        return pairs;
    }

    /// <summary>Only <c>key=value</c> pairs (device add): no two-word form.</summary>
    public static Dictionary<string, string> ParsePairs(IEnumerable<string> args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"No value found in \"{arg}\"");
            }

            map[arg[..eq]] = arg[(eq + 1)..];
        }

        return map;
    }

    /// <summary>Splits a leading <c>remote:</c> (an argument ending with a colon) off the argument list.</summary>
    public static (string? Remote, List<string> Others) SplitRemote(IReadOnlyList<string> args)
    {
        if (args.Count > 0 && args[0].EndsWith(':') && !args[0].Contains('=', StringComparison.Ordinal))
        {
            return (args[0], args.Skip(1).ToList());
        }

        return (null, args.ToList());
    }
}
