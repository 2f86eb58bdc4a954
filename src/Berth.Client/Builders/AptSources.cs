namespace Berth.Client.Builders;

/// <summary>
/// The Debian mirror the host's own apt already uses, read from its sources (one-line <c>.list</c> and deb822
/// <c>.sources</c> files), so the Debian builder needs no hard-coded host.
/// </summary>
public static class AptSources
{
    public const string DefaultRoot = "/etc/apt";

    /// <summary>The first <c>deb</c> source that serves <paramref name="suite"/> with the main component.</summary>
    public static string? MirrorFor(string suite, string root = DefaultRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(suite);
        return Entries(root).FirstOrDefault(e => e.Suites.Contains(suite, StringComparer.Ordinal) && e.Components.Contains("main", StringComparer.Ordinal))?.Uri;
    }

    /// <summary>Every enabled <c>deb</c> entry, in apt's reading order (sources.list, then sources.list.d sorted).</summary>
    public static IEnumerable<AptSource> Entries(string root = DefaultRoot)
    {
        var files = new List<string>();
        var main = Path.Combine(root, "sources.list");
        if (File.Exists(main))
        {
            files.Add(main);
        }

        var dir = Path.Combine(root, "sources.list.d");
        if (Directory.Exists(dir))
        {
            files.AddRange(Directory.GetFiles(dir).Where(f => f.EndsWith(".list", StringComparison.Ordinal) || f.EndsWith(".sources", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }

        return files.SelectMany(f => f.EndsWith(".sources", StringComparison.Ordinal) ? ParseDeb822(File.ReadAllText(f)) : ParseOneLine(File.ReadAllText(f)));
    }

    public static IEnumerable<AptSource> ParseOneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', 2)[0].Trim();
            var words = line.Split(' ', '\t').Where(w => w.Length > 0).ToList();
            if (words.Count < 4 || words[0] != "deb")
            {
                continue;
            }

            // Skip the optional "[arch=amd64 signed-by=...]" block.
            var i = 1;
            if (words[i].StartsWith('['))
            {
                while (i < words.Count && !words[i].EndsWith(']'))
                {
                    i++;
                }

                i++;
            }

            if (words.Count - i >= 3)
            {
                yield return new AptSource(words[i].TrimEnd('/'), [words[i + 1]], [.. words.Skip(i + 2)]);
            }
        }
    }

    public static IEnumerable<AptSource> ParseDeb822(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n"))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in stanza.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && !char.IsWhiteSpace(line[0]))
                {
                    fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            if (!fields.TryGetValue("Types", out var types) || !Words(types).Contains("deb", StringComparer.Ordinal)
                || fields.GetValueOrDefault("Enabled") == "no" || !fields.TryGetValue("URIs", out var uris))
            {
                continue;
            }

            var suites = Words(fields.GetValueOrDefault("Suites", ""));
            var components = Words(fields.GetValueOrDefault("Components", ""));
            foreach (var uri in Words(uris))
            {
                yield return new AptSource(uri.TrimEnd('/'), suites, components);
            }
        }
    }

    private static string[] Words(string value) => value.Split(' ', '\t').Where(w => w.Length > 0).ToArray();
}

/// <summary>One apt source: a mirror URI, its suites and components.</summary>
public sealed record AptSource(string Uri, IReadOnlyList<string> Suites, IReadOnlyList<string> Components);
