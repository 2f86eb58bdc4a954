using System.Collections.Concurrent;
using Berth.Api;
using Berth.Server.Images;
using Berth.Server.Storage;

namespace Berth.Server.Instances;

/// <summary>
/// Unpacks each image once per pool (rootfs, metadata.yaml, templates) into an image volume (a btrfs subvolume on
/// btrfs), so instances are made by snapshotting or copying a ready tree, not by decompressing the image again.
/// Concurrent launches of one image wait for the same unpack.
/// </summary>
public sealed class ImageUnpacker(ImageService images, InstancePaths paths)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Returns the unpacked image dir (containing <c>rootfs/</c>).</summary>
    public async Task<string> EnsureAsync(string fingerprint, string pool, IStorageDriver driver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driver);
        var target = paths.ImageVolume(fingerprint, pool);
        if (Directory.Exists(target))
        {
            return target;
        }

        var gate = Gate(fingerprint, pool);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Directory.Exists(target))
            {
                return target;
            }

            var staging = target + ".unpacking";
            await driver.DeleteVolumeAsync(staging, cancellationToken).ConfigureAwait(false);
            await driver.CreateVolumeAsync(staging, cancellationToken).ConfigureAwait(false);
            try
            {
                await UnpackAsync(fingerprint, staging, cancellationToken).ConfigureAwait(false);
                if (!Directory.Exists(Path.Combine(staging, "rootfs")))
                {
                    throw new ApiException(400, "The image has no rootfs");
                }

                Directory.Move(staging, target);
            }
            catch
            {
                await driver.DeleteVolumeAsync(staging, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            return target;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task RemoveAsync(string fingerprint, string pool, IStorageDriver driver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driver);
        var gate = Gate(fingerprint, pool);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var volume = paths.ImageVolume(fingerprint, pool);
            await driver.DeleteVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
            var images = Path.GetDirectoryName(volume)!;
            foreach (var copy in Directory.Exists(images) ? Directory.GetDirectories(images, fingerprint + ".copy*") : [])
            {
                await driver.DeleteVolumeAsync(copy, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// On a pool without CoW snapshots an instance's volume is a full copy of the image volume: one is made ahead
    /// (<see cref="PrepareCopy"/>, after each launch) and taken here with a rename. False when none is ready.
    /// </summary>
    public bool TryTakeCopy(string fingerprint, string pool, string target)
    {
        var copy = paths.ImageVolume(fingerprint, pool) + ".copy";
        try
        {
            Directory.Move(copy, target);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Copies the image volume to its ready copy in the background, unless one is there (best effort).</summary>
    public void PrepareCopy(string fingerprint, string pool, IStorageDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        _ = Task.Run(async () =>
        {
            var gate = Gate(fingerprint, pool);
            await gate.WaitAsync().ConfigureAwait(false);
            var volume = paths.ImageVolume(fingerprint, pool);
            // Named with a dot, like the unpack's staging dir, so the pool's used_by does not list it as an image.
            var staging = volume + ".copy-" + Guid.NewGuid().ToString("N");
            try
            {
                if (!Directory.Exists(volume) || Directory.Exists(volume + ".copy"))
                {
                    return;
                }

                // Copies run one at a time under the gate, so a staging dir found here was left by a daemon that died mid-copy.
                foreach (var stale in Directory.GetDirectories(Path.GetDirectoryName(volume)!, Path.GetFileName(volume) + ".copy-*"))
                {
                    await driver.DeleteVolumeAsync(stale, CancellationToken.None).ConfigureAwait(false);
                }

                await driver.SnapshotVolumeAsync(volume, staging, readOnly: false, CancellationToken.None).ConfigureAwait(false);
                Directory.Move(staging, volume + ".copy");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ApiException)
            {
                await driver.DeleteVolumeAsync(staging, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        });
    }

    private SemaphoreSlim Gate(string fingerprint, string pool) => _locks.GetOrAdd(pool + "/" + fingerprint, _ => new SemaphoreSlim(1, 1));

    private async Task UnpackAsync(string fingerprint, string staging, CancellationToken cancellationToken)
    {
        var metadata = images.FilePath(fingerprint);
        var rootfs = images.RootfsPath(fingerprint);
        await ExtractTarAsync(metadata, staging, cancellationToken).ConfigureAwait(false);
        if (!File.Exists(rootfs))
        {
            return;
        }

        var rootDir = Path.Combine(staging, "rootfs");
        Directory.CreateDirectory(rootDir);
        if (Compression.Detect(rootfs) == FileKind.Squashfs)
        {
            await ToolRunner.RunAsync("unsquashfs", ["-f", "-n", "-d", rootDir, rootfs], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ExtractTarAsync(rootfs, rootDir, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>GNU tar picks the decompressor itself; ownership and modes are kept exactly.</summary>
    private static Task ExtractTarAsync(string file, string into, CancellationToken cancellationToken) =>
        ToolRunner.RunAsync("tar", ["-xf", file, "-C", into, "--numeric-owner", "--same-permissions", "--xattrs", "--xattrs-include=*"], cancellationToken);
}
