using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Instances;

namespace Berth.Server.Networks;

public sealed partial class NetworkService
{
    /// <summary>Whether a nic device is on <paramref name="network"/>: by <c>network=</c>, or bridged with <c>parent=</c>.</summary>
    public static bool Uses(IReadOnlyDictionary<string, string> device, string network)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.GetValueOrDefault("type") == "nic"
            && (device.GetValueOrDefault("network") == network || (device.GetValueOrDefault("network") is null or "" && device.GetValueOrDefault("parent") == network));
    }

    /// <summary>Profiles with a nic on the network, and instances whose expanded devices have one (LXD's used_by).</summary>
    private static Network WithUsers(IStateReader reader, Network network)
    {
        var users = new List<string>();
        var profiles = new Dictionary<string, ProfilePut>(StringComparer.Ordinal);
        foreach (var kv in reader.List("projects/"))
        {
            var parts = kv.Key.Split('/');
            if (parts is [_, var project, "profiles", var name])
            {
                var profile = JsonSerializer.Deserialize(kv.Value, ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut();
                profiles[project + "/" + name] = profile;
                if (profile.Devices.Values.Any(d => Uses(d, network.Name)))
                {
                    users.Add("/1.0/profiles/" + Uri.EscapeDataString(name) + Suffix(project));
                }
            }
        }

        foreach (var kv in reader.List("projects/"))
        {
            var parts = kv.Key.Split('/');
            if (parts is [_, var project, "instances", _])
            {
                var instance = JsonSerializer.Deserialize(kv.Value, ApiJsonContext.Wire.Instance);
                if (instance is null)
                {
                    continue;
                }

                var (_, devices) = ConfigExpander.Expand(instance.Profiles.Select(p => profiles.GetValueOrDefault(project + "/" + p) ?? new ProfilePut()), instance.Config, instance.Devices);
                if (devices.Values.Any(d => Uses(d, network.Name)))
                {
                    users.Add(InstanceService.Url(instance.Name) + Suffix(project));
                }
            }
        }

        return network with { UsedBy = users, Managed = true, Status = "Created", Locations = ["none"] };
    }

    /// <summary>A host interface: unmanaged, used_by only for the loopback's empty list (as LXD shows it).</summary>
    private static Network Unmanaged(IStateReader reader, string name, string type)
    {
        var used = type is "bridge" or "loopback" or "physical" ? WithUsers(reader, new Network { Name = name }).UsedBy : null;
        return new Network
        {
            Name = name,
            Type = type,
            Managed = false,
            Status = "",
            Locations = null,
            UsedBy = type == "loopback" ? [] : used is { Count: > 0 } ? used : null,
        };
    }

    private static string Suffix(string project) => project == "default" ? "" : "?project=" + Uri.EscapeDataString(project);
}
