using Berth.Api;
using Berth.Server.Instances;

namespace Berth.Server.Storage.Drivers;

/// <summary>
/// <c>dir</c>: volumes are plain directories under the pool path; copies are full copies (reflinked where the
/// host filesystem can). A <c>source</c> other than the pool path is linked there.
/// </summary>
internal sealed class DirDriver(InstancePaths paths) : IStorageDriver
{
    public string Name => "dir";

    public StorageDriverInfo Info { get; } = new("dir", "1", CowSnapshots: false, Quotas: false, Remote: false);

    public bool AcceptsKey(string key) => false;

    public void FillDefaults(string pool, Dictionary<string, string> config)
    {
        if (config.ContainsKey("size"))
        {
            throw new ApiException(400, "Invalid option \"size\": the dir driver has no pool size (no project quotas on this host)");
        }

        if (!config.TryGetValue("source", out var source) || source.Length == 0)
        {
            config["source"] = paths.PoolPath(pool);
        }
        else if (!Path.IsPathFullyQualified(source))
        {
            throw new ApiException(400, $"Source path \"{source}\" must be absolute");
        }
    }

    public Task CreatePoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken)
    {
        var source = Path.TrimEndingDirectorySeparator(config["source"]);
        if (source == mountPath)
        {
            if (Directory.Exists(mountPath) && Directory.EnumerateFileSystemEntries(mountPath).Any())
            {
                throw new ApiException(400, $"Source path \"{source}\" isn't empty");
            }

            Directory.CreateDirectory(mountPath);
        }
        else
        {
            if (Directory.Exists(source) && Directory.EnumerateFileSystemEntries(source).Any())
            {
                throw new ApiException(400, $"Source path \"{source}\" isn't empty");
            }

            if (Path.Exists(mountPath))
            {
                throw new ApiException(409, $"Storage pool path \"{mountPath}\" already exists");
            }

            Directory.CreateDirectory(source);
            Directory.CreateDirectory(Path.GetDirectoryName(mountPath)!);
            File.CreateSymbolicLink(mountPath, source);
        }

        File.SetUnixFileMode(source, Traversable);
        return Task.CompletedTask;
    }

    public Task MountPoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeletePoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken)
    {
        if (new FileInfo(mountPath).LinkTarget is not null)
        {
            File.Delete(mountPath);
        }
        else if (Directory.Exists(mountPath))
        {
            Directory.Delete(mountPath, recursive: true);
        }

        return Task.CompletedTask;
    }

    public Task CreateVolumeAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Directory.CreateDirectory(path);
        return Task.CompletedTask;
    }

    public async Task SnapshotVolumeAsync(string source, string target, bool readOnly, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await StorageTools.RunAsync("cp", ["-a", "--reflink=auto", "--no-target-directory", source, target], cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteVolumeAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return Task.CompletedTask;
    }

    public Task SetQuotaAsync(string path, long? bytes, CancellationToken cancellationToken) =>
        bytes is null ? Task.CompletedTask : throw new ApiException(400, "The dir driver cannot limit a volume's size (no project quotas on this host): use a btrfs pool for root disk size=");

    public Task<long?> UsageAsync(string path, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    internal const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
}
