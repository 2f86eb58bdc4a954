using Berth.Api.Yaml;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary>The instance side of <c>berth config</c>: targets, the writable view, and YAML for show/edit.</summary>
internal static class InstanceConfig
{
    public const string EditHeader = """
        ### This is a YAML representation of the configuration.
        ### Any line starting with a '# will be ignored.
        ###
        ### A sample configuration looks like:
        ### name: container1
        ### profiles:
        ### - default
        ### config:
        ###   volatile.eth0.hwaddr: 00:16:3e:e9:f8:7f
        ### devices:
        ###   homedir:
        ###     path: /extra
        ###     source: /home/user
        ###     type: disk
        ### ephemeral: false
        ###
        ### Note that the name is shown but cannot be changed

        """;

    /// <summary>Parses <c>[remote:]instance</c>, which must name an instance.</summary>
    public static (string Remote, string Name) Target(CliContext context, string raw)
    {
        var (remote, name) = context.ParseRemote(raw);
        if (name.Length == 0)
        {
            throw new CliException("Missing instance name");
        }

        return (remote, name);
    }

    /// <summary>GET the instance, let <paramref name="change"/> edit its writable fields, PUT them back with If-Match.</summary>
    public static async Task UpdateAsync(CliContext context, string remote, string name, Action<InstancePut> change, CancellationToken cancellationToken)
    {
        var client = context.Client(remote);
        var (instance, etag) = await client.GetInstanceAsync(name, cancellationToken).ConfigureAwait(false);
        var put = Writable(instance);
        change(put);
        await client.UpdateInstanceAsync(name, put, etag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The fields a PUT may carry, from a GET (maps in key order, as lxc prints them).</summary>
    public static InstancePut Writable(InstancePut instance) => new()
    {
        Architecture = instance.Architecture,
        Config = Sorted(instance.Config),
        Devices = Sorted(instance.Devices),
        Ephemeral = instance.Ephemeral,
        Profiles = instance.Profiles ?? [],
        Stateful = instance.Stateful,
        Description = instance.Description ?? "",
    };

    /// <summary><c>config show</c>: the writable view; <paramref name="expanded"/> puts the profiles' config and devices in.</summary>
    public static string Show(Instance instance, bool expanded)
    {
        var put = Writable(instance);
        if (expanded)
        {
            put.Config = Sorted(instance.ExpandedConfig);
            put.Devices = Sorted(instance.ExpandedDevices);
        }

        return Render.Yaml(put, ApiJsonContext.Wire.InstancePut);
    }

    /// <summary><c>config show instance/snapshot</c>: the whole snapshot, without an empty expanded_devices (as lxc prints it).</summary>
    public static string Show(InstanceSnapshot snapshot)
    {
        var node = JsonSerializer.SerializeToNode(snapshot, ApiJsonContext.Wire.InstanceSnapshot)!.AsObject();
        if (snapshot.ExpandedDevices.Count == 0)
        {
            node.Remove("expanded_devices");
        }

        return YamlWriter.Write(JsonSerializer.SerializeToElement(node, CliJsonContext.Default.JsonObject), plainTimestamps: true);
    }

    /// <summary>Splits <c>instance/snapshot</c>; the snapshot part is null for an instance.</summary>
    public static (string Instance, string? Snapshot) SplitSnapshot(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (name, null) : (name[..slash], name[(slash + 1)..]);
    }

    private static Dictionary<string, T> Sorted<T>(Dictionary<string, T>? map) =>
        (map ?? []).OrderBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
}
