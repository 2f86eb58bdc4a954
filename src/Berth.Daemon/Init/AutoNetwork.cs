using Berth.Api;
using Berth.Api.Json;
using Berth.Client;

namespace Berth.Daemon.Init;

/// <summary>
/// Networking for <c>init --auto</c>, as <c>lxd init --auto</c>: when no managed network exists, a bridge
/// <c>berthbrN</c> (the first N with no host interface of that name) with an auto IPv4 subnet and NAT, and an
/// <c>eth0</c> nic on it in the default profile.
/// </summary>
internal static class AutoNetwork
{
    public static async Task AddAsync(BerthClient client, Preseed seed, CancellationToken cancellationToken)
    {
        var (networks, _) = await client.GetAsync("/1.0/networks?recursion=1", ApiJsonContext.Wire.ListNetwork, cancellationToken).ConfigureAwait(false);
        if (networks.Any(n => n.Managed))
        {
            return;
        }

        var index = 0;
        while (index < 100 && Path.Exists($"/sys/class/net/berthbr{index}"))
        {
            index++;
        }

        var name = $"berthbr{index}";
        seed.Networks = [new NetworksPost
        {
            Name = name,
            Type = "bridge",
            Config = new() { ["ipv4.address"] = "auto", ["ipv4.nat"] = "true", ["ipv6.address"] = "none" },
        }];

        var (profile, _) = await client.GetAsync("/1.0/profiles/default", ApiJsonContext.Wire.Profile, cancellationToken).ConfigureAwait(false);
        if (profile.Devices.ContainsKey("eth0"))
        {
            return;
        }

        seed.Profiles ??= [];
        var entry = seed.Profiles.FirstOrDefault(p => p.Name == "default");
        if (entry is null)
        {
            entry = new PreseedProfile { Name = "default" };
            seed.Profiles.Add(entry);
        }

        entry.Devices ??= [];
        entry.Devices["eth0"] = new() { ["name"] = "eth0", ["network"] = name, ["type"] = "nic" };
    }
}
