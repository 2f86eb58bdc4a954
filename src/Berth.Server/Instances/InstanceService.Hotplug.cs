using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Instances;

/// <summary>Disk devices added to or removed from a running instance are mounted or unmounted at once.</summary>
public sealed partial class InstanceService
{
    /// <summary>
    /// Compares the instance's disks before and after an update and applies the difference inside the running
    /// container; a mount that fails puts the previous record back, so config and container stay in step.
    /// </summary>
    private async Task HotplugDisksAsync(Instance before, CancellationToken cancellationToken)
    {
        if (before.StatusCode != StatusCode.Running)
        {
            return;
        }

        var after = Get(before.Project, before.Name);
        var old = HotplugDisks(before);
        var now = HotplugDisks(after);
        foreach (var (key, device) in old.Where(d => !now.TryGetValue(d.Key, out var n) || !Same(n, d.Value)))
        {
            await _runtime.UmountAsync(before.Name, device["path"], cancellationToken).ConfigureAwait(false);
        }

        var mounted = new List<string>();
        try
        {
            foreach (var (key, device) in now.Where(d => !old.TryGetValue(d.Key, out var o) || !Same(o, d.Value)))
            {
                var options = new List<string>();
                if (device.GetValueOrDefault("readonly") is "true" or "1")
                {
                    options.Add("ro");
                }

                if (after.ExpandedConfig.GetValueOrDefault("security.privileged") is not ("true" or "1"))
                {
                    options.Add("idmap");
                }

                await _runtime.MountAsync(before.Name, _volumes.DiskSource(before.Project, device), device["path"], options, cancellationToken).ConfigureAwait(false);
                mounted.Add(device["path"]);
            }
        }
        catch (Exception e) when (e is IOException or ApiException)
        {
            foreach (var path in mounted)
            {
                await _runtime.UmountAsync(before.Name, path, CancellationToken.None).ConfigureAwait(false);
            }

            await _store.TransactionAsync(tx =>
            {
                tx.PutJson(Key(before.Project, before.Name), Stored(tx, before.Project, before.Name) with { Config = before.Config, Devices = before.Devices, Profiles = before.Profiles }, ApiJsonContext.Wire.Instance);
                return true;
            }, CancellationToken.None).ConfigureAwait(false);
            throw e as ApiException ?? new ApiException(400, $"Failed to add the disk to the running instance: {e.Message}");
        }
    }

    /// <summary>The disks hot-plug handles: custom volumes (<c>pool=</c>), keyed by device name.</summary>
    private static Dictionary<string, Dictionary<string, string>> HotplugDisks(Instance instance) =>
        instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("path") is { Length: > 1 } && d.Value.GetValueOrDefault("pool") is { Length: > 0 })
            .ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);

    private static bool Same(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
