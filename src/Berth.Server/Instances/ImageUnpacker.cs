using System.Collections.Concurrent;
using Berth.Api;
using Berth.Server.Images;

namespace Berth.Server.Instances;

/// <summary>
/// Unpacks each image once per pool (rootfs, metadata.yaml, templates) so instances are made by copying a ready
/// tree, not by decompressing the image again. Concurrent launches of one image wait for the same unpack.
/// </summary>
public sealed class ImageUnpacker(ImageService images, InstancePaths paths)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Returns the unpacked image dir (containing <c>rootfs/</c>).</summary>
    public async Task<string> EnsureAsync(string fingerprint, CancellationToken cancellationToken)
    {
        var target = paths.ImageVolume(fingerprint);
        if (Directory.Exists(target))
        {
            return target;
        }

        var gate = _locks.GetOrAdd(fingerprint, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Directory.Exists(target))
            {
                return target;
            }

            var staging = target + ".unpacking";
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            Directory.CreateDirectory(staging);
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
                Directory.Delete(staging, recursive: true);
                throw;
            }

            return target;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Remove(string fingerprint)
    {
        var target = paths.ImageVolume(fingerprint);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
    }

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
