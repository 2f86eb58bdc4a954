using Berth.Api;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// NICs of a running container follow its config, as LXD's do: an added nic appears inside at once (named as it
/// will be at the next start), a removed one goes, a changed one is replaced; a change of <c>limits.*</c> only is
/// applied to the veth's host end in place.
/// </summary>
public sealed partial class InstanceService
{
    private async Task HotplugNicsAsync(Instance before, Instance after, CancellationToken cancellationToken)
    {
        var old = NicDevices(before).ToDictionary(d => d.Device, d => d.Nic, StringComparer.Ordinal);
        var now = NicDevices(after).ToDictionary(d => d.Device, d => d.Nic, StringComparer.Ordinal);
        var replaced = old.Where(kv => !now.TryGetValue(kv.Key, out var n) || !Same(WithoutLimits(n), WithoutLimits(kv.Value))).Select(kv => kv.Key).ToList();
        var added = now.Where(kv => !old.ContainsKey(kv.Key) || replaced.Contains(kv.Key)).Select(kv => kv.Key).ToList();
        var reshaped = now.Where(kv => old.TryGetValue(kv.Key, out var o) && !replaced.Contains(kv.Key) && !Same(o, kv.Value)).Select(kv => kv.Key).ToList();
        if (replaced.Count == 0 && added.Count == 0 && reshaped.Count == 0)
        {
            return;
        }

        var pid = _runtime.InitPid(after.Name);
        using var revert = new Reverter();
        foreach (var device in replaced)
        {
            var nic = old[device];
            var kind = KindOf(nic);
            await NicLinks.DetachAsync(pid, kind, nic.GetValueOrDefault("parent") ?? "", before.Config.GetValueOrDefault($"volatile.{device}.host_name") ?? "", InsideName(before, device, nic), cancellationToken).ConfigureAwait(false);
            if (nic.GetValueOrDefault("network") is { Length: > 0 } network)
            {
                _networks.RemoveStaticHost(network, after.Name, device);
            }
        }

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var device in added)
        {
            var nic = now[device];
            var plan = ResolveNic(device, nic);
            var host = plan.IsVeth ? NewHostName(nic) : "";
            var hwaddr = nic.GetValueOrDefault("hwaddr") ?? after.Config.GetValueOrDefault($"volatile.{device}.hwaddr") ?? (HasMac(nic) ? RandomMac() : "");
            var inside = InsideName(after, device, nic);
            if (plan.Network is { } network)
            {
                _networks.SetStaticHost(network, after.Name, device, hwaddr, nic.GetValueOrDefault("ipv4.address"));
                revert.Add(() => _networks.RemoveStaticHost(network.Name, after.Name, device));
            }

            await NicLinks.AttachAsync(pid, plan.Kind, plan.Link, host, inside, hwaddr, plan.Mtu, cancellationToken).ConfigureAwait(false);
            revert.Add(() => NicLinks.DetachAsync(pid, plan.Kind, plan.Link, host, inside, CancellationToken.None).GetAwaiter().GetResult());
            if (plan.IsVeth)
            {
                keys[$"volatile.{device}.host_name"] = host;
                await NicLinks.ShapeAsync(host, pid, inside, nic, clearFirst: false, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var device in reshaped)
        {
            await NicLinks.ShapeAsync(after.Config.GetValueOrDefault($"volatile.{device}.host_name") ?? "", pid, InsideName(after, device, now[device]), now[device], clearFirst: true, cancellationToken).ConfigureAwait(false);
        }

        if (keys.Count > 0)
        {
            await RecordAsync(after.Project, after.Name, i =>
            {
                var config = new Dictionary<string, string>(i.Config, StringComparer.Ordinal);
                foreach (var (key, value) in keys)
                {
                    config[key] = value;
                }

                return i with { Config = config };
            }, cancellationToken).ConfigureAwait(false);
        }

        revert.Success();
    }

    /// <summary>After a start: the traffic limits of its veth nics on their host ends.</summary>
    private async Task ShapeNicsAsync(string project, string name, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        var shaped = NicDevices(instance).Where(d => NicLinks.HasLimits(d.Nic) && KindOf(d.Nic) is "bridged" or "p2p").ToList();
        var pid = shaped.Count > 0 ? _runtime.InitPid(name) : 0;
        foreach (var (device, nic) in shaped)
        {
            await NicLinks.ShapeAsync(instance.Config.GetValueOrDefault($"volatile.{device}.host_name") ?? "", pid, InsideName(instance, device, nic), nic, clearFirst: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string KindOf(Dictionary<string, string> nic) =>
        nic.GetValueOrDefault("network") is { Length: > 0 } ? "bridged" : nic.GetValueOrDefault("nictype") ?? "";

    private static Dictionary<string, string> WithoutLimits(Dictionary<string, string> nic) =>
        nic.Where(kv => !kv.Key.StartsWith("limits.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}
