using Berth.Api;
using Berth.Server.Config;
using Berth.Server.Instances;

namespace Berth.Server.Storage.Drivers;

/// <summary>
/// <c>btrfs</c>: the pool is a btrfs filesystem mounted by berthd at the pool path (a loop file under
/// <c>disks/</c> by default, or a block device), or an existing btrfs directory. Volumes are subvolumes,
/// instance root filesystems writable snapshots of the image subvolume, and sizes qgroup limits.
/// </summary>
internal sealed partial class BtrfsDriver(InstancePaths paths) : IStorageDriver
{
    private const long GiB = 1024L * 1024 * 1024;
    private const string DefaultMountOptions = "user_subvol_rm_allowed";

    public string Name => "btrfs";

    public StorageDriverInfo Info { get; } = new("btrfs", "6.2", CowSnapshots: true, Quotas: true, Remote: false);

    public bool AcceptsKey(string key) => key is "btrfs.mount_options" or "size" or "source.wipe";

    public void FillDefaults(string pool, Dictionary<string, string> config)
    {
        if (!StorageTools.Exists("mkfs.btrfs"))
        {
            throw new ApiException(400, "The btrfs driver needs btrfs-progs (mkfs.btrfs), which is not installed on this host");
        }

        if (config.TryGetValue("size", out var size) && (!ValueChecks.TryParseByteSize(size, out var bytes) || bytes < 0))
        {
            throw new ApiException(400, $"Invalid value for key \"size\": invalid size \"{size}\"");
        }

        var source = config.GetValueOrDefault("source", "");
        if (source.Length == 0)
        {
            config["source"] = paths.LoopFile(pool);
            if (!config.ContainsKey("size") || config["size"].Length == 0)
            {
                config["size"] = DefaultLoopSize();
            }
        }
        else if (!Path.IsPathFullyQualified(source))
        {
            throw new ApiException(400, $"Source \"{source}\" must be an absolute path (a block device or a btrfs directory)");
        }
        else if (config.ContainsKey("size"))
        {
            throw new ApiException(400, "The \"size\" key only applies to loop-backed pools (no source)");
        }
    }

    /// <summary>LXD's rule: 20% of the free space where the loop file goes, at least 5 GiB, at most 30 GiB.</summary>
    private string DefaultLoopSize()
    {
        var dir = Path.GetDirectoryName(paths.LoopFile("x"))!;
        for (; !Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent; dir = parent)
        {
        }

        var free = new DriveInfo(dir).AvailableFreeSpace;
        var gib = Math.Clamp(free / 5 / GiB, 5, 30);
        return $"{gib}GiB";
    }

    public async Task CreatePoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken)
    {
        var source = config["source"];
        switch (SourceKind(pool, source))
        {
            case Kind.Loop:
                if (File.Exists(source))
                {
                    throw new ApiException(409, $"The loop file \"{source}\" already exists");
                }

                ValueChecks.TryParseByteSize(config["size"], out var bytes);
                if (bytes < 128L * 1024 * 1024)
                {
                    throw new ApiException(400, "A btrfs pool needs at least 128MiB");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(source)!);
                await using (var file = new FileStream(source, FileMode.CreateNew, FileAccess.Write))
                {
                    file.SetLength(bytes);
                }

                try
                {
                    await StorageTools.RunAsync("mkfs.btrfs", ["-q", "-L", pool, source], cancellationToken).ConfigureAwait(false);
                    await MountAsync(config, source, mountPath, loop: true, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    File.Delete(source);
                    throw;
                }

                break;
            case Kind.Device:
                var wipe = config.GetValueOrDefault("source.wipe") is "true" or "1";
                await StorageTools.RunAsync("mkfs.btrfs", wipe ? ["-q", "-f", "-L", pool, source] : ["-q", "-L", pool, source], cancellationToken).ConfigureAwait(false);
                await MountAsync(config, source, mountPath, loop: false, cancellationToken).ConfigureAwait(false);
                break;
            default:
                if (!Directory.Exists(source))
                {
                    throw new ApiException(400, $"Source \"{source}\" is neither a block device nor an existing directory");
                }

                if ((await StorageTools.RunAsync("stat", ["-f", "-c", "%T", source], cancellationToken).ConfigureAwait(false)).Trim() != "btrfs")
                {
                    throw new ApiException(400, $"Source \"{source}\" is not on a btrfs filesystem");
                }

                if (Path.Exists(mountPath))
                {
                    throw new ApiException(409, $"Storage pool path \"{mountPath}\" already exists");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(mountPath)!);
                File.CreateSymbolicLink(mountPath, source);
                break;
        }

        try
        {
            // Quotas make root disk size= enforceable and disk usage readable.
            await StorageTools.RunAsync("btrfs", ["quota", "enable", mountPath], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DeletePoolAsync(pool, config, mountPath, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task MountPoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken)
    {
        var source = config.GetValueOrDefault("source", "");
        var kind = SourceKind(pool, source);
        if (kind == Kind.Directory || StorageTools.IsMounted(mountPath))
        {
            return;
        }

        await MountAsync(config, source, mountPath, kind == Kind.Loop, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeletePoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken)
    {
        var source = config.GetValueOrDefault("source", "");
        if (new FileInfo(mountPath).LinkTarget is not null)
        {
            File.Delete(mountPath);
            return;
        }

        if (StorageTools.IsMounted(mountPath))
        {
            await StorageTools.RunAsync("umount", [mountPath], cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(mountPath))
        {
            Directory.Delete(mountPath, recursive: false);
        }

        if (SourceKind(pool, source) == Kind.Loop && File.Exists(source))
        {
            File.Delete(source);
        }
    }

    private static async Task MountAsync(Dictionary<string, string> config, string source, string mountPath, bool loop, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(mountPath);
        var options = config.GetValueOrDefault("btrfs.mount_options") is { Length: > 0 } custom ? custom : DefaultMountOptions;
        // mount -o loop sets the loop device to autoclear: it goes away with the unmount.
        await StorageTools.RunAsync("mount", ["-t", "btrfs", "-o", loop ? "loop," + options : options, source, mountPath], cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(mountPath, DirDriver.Traversable);
    }

    private enum Kind
    {
        Loop,
        Device,
        Directory,
    }

    private Kind SourceKind(string pool, string source) =>
        source == paths.LoopFile(pool) || (File.Exists(source) && !source.StartsWith("/dev/", StringComparison.Ordinal)) ? Kind.Loop
        : source.StartsWith("/dev/", StringComparison.Ordinal) ? Kind.Device
        : Kind.Directory;
}
