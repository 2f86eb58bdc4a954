using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Instances;
using Berth.Server.Storage.Drivers;
using Berth.Server.Util;

namespace Berth.Server.Storage;

/// <summary>
/// Storage pools: records in the state store (<c>storage-pools/&lt;name&gt;</c>), made ready by their driver, and
/// which pool each instance volume lives on (<c>storage-volumes/&lt;pool&gt;/&lt;project&gt;/container/&lt;name&gt;</c>).
/// </summary>
public sealed partial class StoragePoolService
{
    private const string PoolPrefix = "storage-pools/";
    private const string VolumePrefix = "storage-volumes/";
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private readonly InstancePaths _paths;
    private readonly Dictionary<string, IStorageDriver> _drivers;

    public StoragePoolService(IStateStore store, EventHub events, InstancePaths paths, IEnumerable<IStorageDriver> drivers)
    {
        _store = store;
        _events = events;
        _paths = paths;
        _drivers = drivers.ToDictionary(d => d.Name, StringComparer.Ordinal);
    }

    public static string Url(string name) => "/1.0/storage-pools/" + Uri.EscapeDataString(name);

    public IReadOnlyList<StorageDriverInfo> Drivers => [.. _drivers.Values.Select(d => d.Info).OrderBy(i => i.Name, StringComparer.Ordinal)];

    public static string ETagOf(StoragePoolPut pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return ETag.Compute(w =>
        {
            JsonSerializer.Serialize(w, pool.Config, ApiJsonContext.Wire.DictionaryStringString);
            w.WriteStringValue(pool.Description);
        });
    }

    public IReadOnlyList<StoragePool> List()
    {
        var snapshot = _store.Snapshot();
        return [.. snapshot.ListJson(PoolPrefix, ApiJsonContext.Wire.StoragePool).Select(p => WithUsers(snapshot, p.Value))];
    }

    public StoragePool Get(string name)
    {
        var snapshot = _store.Snapshot();
        return WithUsers(snapshot, Stored(snapshot, name));
    }

    public bool Exists(string name) => _store.Snapshot().Get(PoolPrefix + name) is not null;

    /// <summary>The driver of a pool, for instance volumes.</summary>
    public IStorageDriver DriverOf(string pool) =>
        _drivers[(_store.Snapshot().GetSharedJson(PoolPrefix + pool, ApiJsonContext.Wire.StoragePool) ?? throw new ApiException(404, "Storage pool not found")).Driver];

    public async Task CreateAsync(StoragePoolsPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateName(request.Name);
        if (!_drivers.TryGetValue(request.Driver, out var driver))
        {
            throw request.Driver.Length == 0 ? new ApiException(400, "No driver provided") : UnavailableDrivers.Refusal(request.Driver);
        }

        if (Exists(request.Name))
        {
            throw new ApiException(409, $"Storage pool \"{request.Name}\" already exists");
        }

        var config = new Dictionary<string, string>(request.Config ?? [], StringComparer.Ordinal);
        StoragePoolConfig.Validate(driver, config);
        driver.FillDefaults(request.Name, config);
        var pool = new StoragePool { Name = request.Name, Driver = driver.Name, Description = request.Description, Config = config };
        var mountPath = _paths.PoolPath(request.Name);
        await driver.CreatePoolAsync(request.Name, config, mountPath, cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.TransactionAsync(tx =>
            {
                if (tx.Get(PoolPrefix + request.Name) is not null)
                {
                    throw new ApiException(409, $"Storage pool \"{request.Name}\" already exists");
                }

                tx.PutJson(PoolPrefix + request.Name, pool, ApiJsonContext.Wire.StoragePool);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await driver.DeletePoolAsync(request.Name, config, mountPath, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _events.PublishLifecycle("storage-pool-created", Url(request.Name), requestor: requestor);
    }

    /// <summary>PUT replaces config and description; PATCH (<paramref name="merge"/>) keeps unnamed keys.</summary>
    public async Task UpdateAsync(string name, StoragePoolPut request, bool merge, bool hasDescription, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _store.TransactionAsync(tx =>
        {
            var current = Stored(tx, name);
            ETag.Check(ifMatch, ETagOf(current));
            var config = merge ? new Dictionary<string, string>(current.Config, StringComparer.Ordinal) : [];
            foreach (var (key, value) in request.Config ?? [])
            {
                config[key] = value;
            }

            var driver = _drivers[current.Driver];
            StoragePoolConfig.Validate(driver, config);
            foreach (var fixedKey in new[] { "source", "size", "btrfs.mount_options", "source.wipe" })
            {
                // Keys made at creation stay: an absent one in PUT means "unchanged", as lxc edit sends them back.
                if (!config.ContainsKey(fixedKey) && current.Config.TryGetValue(fixedKey, out var kept))
                {
                    config[fixedKey] = kept;
                }

                if (config.GetValueOrDefault(fixedKey) != current.Config.GetValueOrDefault(fixedKey))
                {
                    throw new ApiException(400, $"Pool config \"{fixedKey}\" cannot be changed on an existing pool on this berthd");
                }
            }

            var updated = current with { Config = config, Description = merge && !hasDescription ? current.Description : request.Description };
            tx.PutJson(PoolPrefix + name, updated, ApiJsonContext.Wire.StoragePool);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-pool-updated", Url(name), requestor: requestor);
    }

    public async Task DeleteAsync(string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var pool = Get(name);
        if (pool.UsedBy.Any(u => !u.StartsWith("/1.0/images/", StringComparison.Ordinal)))
        {
            throw new ApiException(400, "The storage pool is currently in use");
        }

        var driver = _drivers[pool.Driver];
        Berth.Server.Instances.VolumeTrash.Drain(_paths.PoolPath(name));
        var images = Path.Combine(_paths.PoolPath(name), "images");
        if (Directory.Exists(images))
        {
            foreach (var image in Directory.GetDirectories(images))
            {
                await driver.DeleteVolumeAsync(image, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var dir in new[] { "images", "containers", "containers-snapshots" }.Select(d => Path.Combine(_paths.PoolPath(name), d)))
        {
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }

        await driver.DeletePoolAsync(name, pool.Config, _paths.PoolPath(name), cancellationToken).ConfigureAwait(false);
        await _store.TransactionAsync(tx => tx.Delete(PoolPrefix + name), cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-pool-deleted", Url(name), requestor: requestor);
    }

    public async Task<StoragePoolResources> ResourcesAsync(string name, CancellationToken cancellationToken)
    {
        Get(name);
        var output = await StorageTools.RunAsync("stat", ["-f", "-L", "-c", "%b %f %S %c %d", _paths.PoolPath(name)], cancellationToken).ConfigureAwait(false);
        var f = output.Trim().Split(' ').Select(long.Parse).ToArray();
        return new StoragePoolResources
        {
            Space = new() { Total = f[0] * f[2], Used = (f[0] - f[1]) * f[2] },
            Inodes = new() { Total = f[3], Used = f[3] - f[4] },
        };
    }

    public static void ValidateName(string name) => ValidateName(name, "storage pool");

    /// <summary>The name rule pools and volumes share: no <c>/</c>, not <c>.</c>/<c>..</c>, no leading <c>-</c>, no spaces.</summary>
    internal static void ValidateName(string name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ApiException(400, "No name provided");
        }

        if (name.Contains('/', StringComparison.Ordinal) || name is "." or ".." || name.StartsWith('-') || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ApiException(400, $"Invalid {what} name \"{name}\"");
        }
    }

    private StoragePool WithUsers(IStateReader reader, StoragePool pool)
    {
        var users = new List<string>();
        foreach (var kv in reader.List($"{VolumePrefix}{pool.Name}/"))
        {
            var parts = kv.Key[(VolumePrefix.Length + pool.Name.Length + 1)..].Split('/');
            if (parts is [_, "custom", _])
            {
                users.Add(StorageVolumeService.Url(pool.Name, "custom", parts[2], parts[0]));
            }
            else if (parts is [_, "container", _])
            {
                var url = "/1.0/instances/" + Uri.EscapeDataString(parts[2]);
                var suffix = parts[0] == "default" ? "" : "?project=" + Uri.EscapeDataString(parts[0]);
                users.Add(url + suffix);
                users.AddRange(reader.List($"projects/{parts[0]}/snapshots/{parts[2]}/").Select(s => $"{url}/snapshots/{Uri.EscapeDataString(s.Key.Split('/')[^1])}{suffix}"));
            }
        }

        foreach (var kv in reader.List("projects/").Where(p => p.Key.Split('/') is [_, _, "profiles", _]))
        {
            var profile = JsonSerializer.Deserialize(kv.Value, ApiJsonContext.Wire.ProfilePut);
            if (profile is not null && profile.Devices.Values.Any(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("pool") == pool.Name))
            {
                var parts = kv.Key.Split('/');
                users.Add("/1.0/profiles/" + Uri.EscapeDataString(parts[3]) + (parts[1] == "default" ? "" : "?project=" + Uri.EscapeDataString(parts[1])));
            }
        }

        var images = Path.Combine(_paths.PoolPath(pool.Name), "images");
        if (Directory.Exists(images))
        {
            users.AddRange(Directory.GetDirectories(images).Select(Path.GetFileName).Where(n => !n!.Contains('.', StringComparison.Ordinal)).Select(n => "/1.0/images/" + n));
        }

        users.Sort(StringComparer.Ordinal);
        return pool with { UsedBy = users };
    }

    private static StoragePool Stored(IStateReader reader, string name) =>
        reader.GetJson(PoolPrefix + name, ApiJsonContext.Wire.StoragePool) ?? throw new ApiException(404, "Storage pool not found");
}
