using System.Globalization;
using Berth.Api;

namespace Berth.Server.Images.SimpleStreams;

/// <summary>
/// Describes berthd's public images as a simplestreams tree, so a plain <c>--protocol simplestreams</c> remote can use
/// them: one product per os/release/arch/variant and alias, one version per image, files served from <see cref="FilePath"/>.
/// </summary>
public sealed class SimpleStreamsPublisher(ImageService images)
{
    public const string ProductsPath = "streams/v1/images.json";

    /// <summary>Where an image file is served, relative to the server root: <c>streams/files/&lt;fp&gt;/&lt;name&gt;</c>.</summary>
    public static string FilePath(string fingerprint, string name) => $"streams/files/{fingerprint}/{name}";

    public StreamsIndex Index()
    {
        var products = Products();
        return new StreamsIndex
        {
            Updated = products.Updated,
            Index = new()
            {
                ["images"] = new StreamsIndexEntry { Path = ProductsPath, Updated = products.Updated, Products = [.. products.Products.Keys] },
            },
        };
    }

    public StreamsProducts Products()
    {
        var result = new StreamsProducts { Updated = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture) };
        foreach (var image in images.List("default", publicOnly: true).OrderBy(i => i.CreatedAt))
        {
            var os = image.Properties.GetValueOrDefault("os", "unknown");
            var release = image.Properties.GetValueOrDefault("release", "unknown");
            var variant = image.Properties.GetValueOrDefault("variant", "default");
            var arch = SimpleStreamsArch.FromLxd(image.Architecture);
            // Aliases belong to a product, so each aliased image gets a product of its own.
            var discriminator = image.Aliases.Count > 0 ? image.Aliases[0].Name : image.Fingerprint[..12];
            var key = $"{os}:{release}:{arch}:{variant}:{discriminator}".ToLowerInvariant();
            if (!result.Products.TryGetValue(key, out var product))
            {
                product = new StreamsProduct { Arch = arch, Os = os, Release = release, ReleaseTitle = release, Variant = variant };
                result.Products[key] = product;
            }

            product.Aliases = string.Join(',', image.Aliases.Select(a => a.Name));
            var version = image.CreatedAt.UtcDateTime.ToString("yyyyMMdd'_'HHmm", CultureInfo.InvariantCulture) + "_" + image.Fingerprint[..12];
            product.Versions[version] = new StreamsVersion { Items = Items(image) };
        }

        return result;
    }

    private Dictionary<string, StreamsItem> Items(Image image)
    {
        var metadata = new FileInfo(images.FilePath(image.Fingerprint));
        var rootfs = new FileInfo(images.RootfsPath(image.Fingerprint));
        if (!rootfs.Exists)
        {
            return new()
            {
                ["lxd_combined.tar.gz"] = new StreamsItem
                {
                    FileType = "lxd_combined.tar.gz",
                    Path = FilePath(image.Fingerprint, "lxd_combined.tar.gz"),
                    Sha256 = image.Fingerprint,
                    Size = metadata.Length,
                },
            };
        }

        var squashfs = Compression.Detect(rootfs.FullName) == FileKind.Squashfs;
        var meta = new StreamsItem
        {
            FileType = "lxd.tar.xz",
            Path = FilePath(image.Fingerprint, "lxd.tar.xz"),
            Sha256 = FileSha256(metadata.FullName),
            Size = metadata.Length,
            CombinedSquashfsSha256 = squashfs ? image.Fingerprint : null,
            CombinedRootxzSha256 = squashfs ? null : image.Fingerprint,
            CombinedSha256 = squashfs ? null : image.Fingerprint,
        };
        var root = new StreamsItem
        {
            FileType = squashfs ? "squashfs" : "root.tar.xz",
            Path = FilePath(image.Fingerprint, squashfs ? "rootfs.squashfs" : "root.tar.xz"),
            Sha256 = FileSha256(rootfs.FullName),
            Size = rootfs.Length,
        };
        return new() { ["lxd.tar.xz"] = meta, [squashfs ? "root.squashfs" : "root.tar.xz"] = root };
    }

    /// <summary>Split files hash individually; cached by path and length since stored images never change.</summary>
    private static string FileSha256(string path)
    {
        var key = path + ":" + new FileInfo(path).Length;
        lock (HashCache)
        {
            if (HashCache.TryGetValue(key, out var cached))
            {
                return cached;
            }
        }

        using var stream = File.OpenRead(path);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        lock (HashCache)
        {
            HashCache[key] = hash;
        }

        return hash;
    }

    private static readonly Dictionary<string, string> HashCache = new(StringComparer.Ordinal);
}
