using Berth.Api;
using Berth.Api.Json;
using Berth.Client;

namespace Berth.Daemon.Init;

/// <summary>
/// Storage for <c>init --auto</c>: a pool (btrfs on a loop file when mkfs.btrfs is installed, as LXD offers, else dir)
/// unless pools already exist, and the <c>root</c> disk in the default profile.
/// </summary>
internal static class AutoStorage
{
    public static async Task AddAsync(BerthClient client, Preseed seed, string? backend, string? device, int? loopGiB, string? poolName, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrEmpty(poolName) ? "default" : poolName;
        var (pools, _) = await client.GetAsync("/1.0/storage-pools", ApiJsonContext.Wire.ListString, cancellationToken).ConfigureAwait(false);
        if (pools.Count == 0 || backend is not null)
        {
            var driver = backend ?? (HasMkfsBtrfs() ? "btrfs" : "dir");
            var config = new Dictionary<string, string>(StringComparer.Ordinal);
            if (device is not null)
            {
                config["source"] = device;
            }

            if (loopGiB is { } gib)
            {
                config["size"] = $"{gib}GiB";
            }

            seed.StoragePools = [new StoragePoolsPost { Name = name, Driver = driver, Config = config }];
        }
        else if (poolName is null)
        {
            name = pools.Any(p => p.EndsWith("/default", StringComparison.Ordinal)) ? "default" : pools[0][(pools[0].LastIndexOf('/') + 1)..];
        }

        var (profile, _) = await client.GetAsync("/1.0/profiles/default", ApiJsonContext.Wire.Profile, cancellationToken).ConfigureAwait(false);
        if (!profile.Devices.Values.Any(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("path") == "/"))
        {
            seed.Profiles = [new PreseedProfile
            {
                Name = "default",
                Devices = new() { ["root"] = new() { ["path"] = "/", ["pool"] = name, ["type"] = "disk" } },
            }];
        }
    }

    private static bool HasMkfsBtrfs() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "mkfs.btrfs")));
}
