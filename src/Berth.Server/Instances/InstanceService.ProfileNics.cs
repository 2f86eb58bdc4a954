using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Instances;

/// <summary>
/// A profile's NIC and proxy changes reach the instances using it, as LXD's do: every user gets the volatile MAC and
/// name of a new nic at once, and running users have nics and proxies hot-plugged (added, removed or replaced) as for
/// their own devices.
/// </summary>
public sealed partial class InstanceService
{
    public async Task ProfileDevicesChangedAsync(string project, string profile, ProfilePut previous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var users = _store.Snapshot().ListJson(Prefix(project), ApiJsonContext.Wire.Instance)
            .Select(kv => kv.Value).Where(i => i.Profiles.Contains(profile, StringComparer.Ordinal)).ToList();
        var failures = new List<string>();
        foreach (var stored in users)
        {
            var before = ExpandWithProfile(_store.Snapshot(), stored, profile, previous);
            var nicsChanged = !Same(NicDeviceMap(before), NicDeviceMap(Get(project, stored.Name)));
            if (nicsChanged)
            {
                await _store.TransactionAsync(tx =>
                {
                    if (tx.GetJson(Key(project, stored.Name), ApiJsonContext.Wire.Instance) is { } current)
                    {
                        tx.PutJson(Key(project, stored.Name), WithNicMacs(tx, current), ApiJsonContext.Wire.Instance);
                    }

                    return true;
                }, cancellationToken).ConfigureAwait(false);
            }

            var after = Get(project, stored.Name);
            if (after.StatusCode == StatusCode.Stopped)
            {
                continue;
            }

            try
            {
                if (nicsChanged)
                {
                    await HotplugNicsAsync(before, after, cancellationToken).ConfigureAwait(false);
                }

                // Proxy devices too, as LXD's profile update does for every device of its users.
                await SyncProxiesAsync(before, after, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                failures.Add($"{stored.Name}: {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new ApiException(400, "The profile was saved, but hot-plugging its devices into running instances failed: " + string.Join("; ", failures));
        }
    }

    /// <summary>The instance expanded as it was with <paramref name="previous"/> in place of <paramref name="profile"/>.</summary>
    private Instance ExpandWithProfile(IStateReader snapshot, Instance stored, string profile, ProfilePut previous)
    {
        var profiles = stored.Profiles.Select(p => p == profile
            ? previous
            : snapshot.GetJson($"projects/{stored.Project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        var (config, devices) = ConfigExpander.Expand(profiles, stored.Config, stored.Devices);
        var status = StatusOf(_runtime.State(stored.Name));
        return stored with { ExpandedConfig = config, ExpandedDevices = devices, Status = StatusCode.Name(status), StatusCode = status };
    }

    private static Dictionary<string, string> NicDeviceMap(Instance instance) =>
        NicDevices(instance).ToDictionary(d => d.Device, d => string.Join(',', d.Nic.OrderBy(kv => kv.Key, StringComparer.Ordinal)), StringComparer.Ordinal);
}
