using Berth.Api.Yaml;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Cli.Output;

namespace Berth.Cli.Config;

/// <summary>One entry of <c>remotes</c> in config.yml (same keys as lxc's).</summary>
internal sealed record RemoteEntry
{
    public string Addr { get; init; } = "";
    public string AuthType { get; init; } = "";
    public string Project { get; init; } = "";
    public string Protocol { get; init; } = "";
    public bool Public { get; init; }
}

/// <summary>
/// The client configuration, <c>config.yml</c> in <c>$BERTH_CONF</c> (default <c>~/.config/berth</c>), in the
/// shape of lxc's: <c>default-remote</c>, <c>remotes{name: {addr, protocol, auth_type, public, project}}</c>,
/// <c>aliases</c>. As in lxc, <c>local</c>, <c>ubuntu</c> and <c>ubuntu-daily</c> always exist (static), and
/// <c>images</c> is there until removed.
/// </summary>
internal sealed class CliConfig
{
    public const string LocalRemote = "local";
    public const string FileName = "config.yml";

    /// <summary>lxc's static remotes: always present, never renamed, removed or re-pointed.</summary>
    private static readonly SortedDictionary<string, RemoteEntry> StaticRemotes = new(StringComparer.Ordinal)
    {
        [LocalRemote] = new RemoteEntry { Addr = "unix://" },
        ["ubuntu"] = PublicImageServer("https://cloud-images.ubuntu.com/releases"),
        ["ubuntu-daily"] = PublicImageServer("https://cloud-images.ubuntu.com/daily"),
    };

    public CliConfig()
        : this(withDefaults: true)
    {
    }

    private CliConfig(bool withDefaults)
    {
        foreach (var (name, entry) in StaticRemotes)
        {
            Remotes[name] = entry;
        }

        if (withDefaults)
        {
            // Configured as lxc does, though this machine cannot reach it.
            Remotes["images"] = PublicImageServer("https://images.linuxcontainers.org");
        }
    }

    public string DefaultRemote { get; set; } = LocalRemote;

    public SortedDictionary<string, RemoteEntry> Remotes { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>The directory the configuration came from (and is saved to).</summary>
    public string Directory { get; private set; } = "";

    /// <summary>The configuration directory: <c>BERTH_CONF</c>, else <c>$HOME/.config/berth</c>.</summary>
    public static string DefaultDirectory(Func<string, string?> getEnvironment)
    {
        var dir = getEnvironment("BERTH_CONF");
        if (!string.IsNullOrEmpty(dir))
        {
            return dir;
        }

        var home = getEnvironment("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return Path.Combine(home, ".config", "berth");
    }

    /// <summary>Loads <c>config.yml</c> from <paramref name="directory"/>; a missing file gives the defaults.</summary>
    public static CliConfig Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return new CliConfig { Directory = directory };
        }

        try
        {
            var config = Parse(File.ReadAllText(path));
            config.Directory = directory;
            return config;
        }
        catch (CliException e)
        {
            throw new CliException($"Failed to load {path}: {e.Message}");
        }
    }

    /// <summary>Whether <paramref name="name"/> is one of lxc's static remotes.</summary>
    public static bool IsStatic(string name) => StaticRemotes.ContainsKey(name);

    public static CliConfig Parse(string yaml)
    {
        if (YamlReader.Read(yaml) is not JsonObject root)
        {
            return new CliConfig();
        }

        // A saved file lists every remote but the static ones: a removed "images" stays removed.
        var config = new CliConfig(withDefaults: false);

        if (root["default-remote"] is JsonValue defaultRemote)
        {
            config.DefaultRemote = defaultRemote.GetValue<string>();
        }

        if (root["remotes"] is JsonObject remotes)
        {
            foreach (var (name, node) in remotes)
            {
                var entry = node as JsonObject;
                if (IsStatic(name) && name != LocalRemote)
                {
                    continue;
                }

                config.Remotes[name] = new RemoteEntry
                {
                    Addr = Text(entry?["addr"]),
                    AuthType = Text(entry?["auth_type"]),
                    Project = Text(entry?["project"]),
                    Protocol = Text(entry?["protocol"]),
                    Public = Text(entry?["public"]) is "true" or "True" or "TRUE" or "yes" or "on",
                };
            }
        }


        if (root["aliases"] is JsonObject aliases)
        {
            foreach (var (name, node) in aliases)
            {
                config.Aliases[name] = Text(node);
            }
        }

        return config;
    }

    /// <summary>Writes <c>config.yml</c> (atomically) into <see cref="Directory"/>.</summary>
    public void Save()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, ToYaml());
        File.Move(temp, path, overwrite: true);
    }

    public string ToYaml()
    {
        var remotes = new JsonObject();
        foreach (var (name, remote) in Remotes)
        {
            if (IsStatic(name) && name != LocalRemote)
            {
                continue; // lxc writes local, never the other static remotes
            }

            var entry = new JsonObject { ["addr"] = remote.Addr };
            if (remote.AuthType.Length > 0)
            {
                entry["auth_type"] = remote.AuthType;
            }

            if (remote.Project.Length > 0)
            {
                entry["project"] = remote.Project;
            }

            if (remote.Protocol.Length > 0)
            {
                entry["protocol"] = remote.Protocol;
            }

            entry["public"] = remote.Public;
            remotes[name] = entry;
        }

        var aliases = new JsonObject();
        foreach (var (name, target) in Aliases)
        {
            aliases[name] = target;
        }

        var root = new JsonObject
        {
            ["default-remote"] = DefaultRemote,
            ["remotes"] = remotes,
            ["aliases"] = aliases,
        };
        return YamlWriter.Write(JsonSerializer.SerializeToElement(root, CliJsonContext.Default.JsonObject));
    }

    /// <summary>
    /// Splits <c>[remote:]name</c> as lxc does: no colon means the default remote; a prefix that is not a remote is
    /// an error unless the text is a snapshot path (<c>c1/snap:1</c>).
    /// </summary>
    public (string Remote, string Name) ParseRemote(string raw)
    {
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (DefaultRemote, raw);
        }

        var remote = raw[..colon];
        if (!Remotes.ContainsKey(remote))
        {
            if (remote.Contains('/', StringComparison.Ordinal))
            {
                return (DefaultRemote, raw);
            }

            throw new CliException($"The remote \"{remote}\" doesn't exist");
        }

        return (remote, raw[(colon + 1)..]);
    }

    private static RemoteEntry PublicImageServer(string addr) => new() { Addr = addr, Protocol = "simplestreams", Public = true };

    private static string Text(JsonNode? node) => node is JsonValue value ? value.GetValue<string>() : "";
}
