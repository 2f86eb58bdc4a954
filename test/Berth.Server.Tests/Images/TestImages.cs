using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Server.Tests.Images;

/// <summary>Builds small image tarballs for tests: real tar and gzip, tiny fake rootfs.</summary>
public static class TestImages
{
    public static string Metadata(string architecture = "x86_64", long created = 1700000000) =>
        $"architecture: {architecture}\ncreation_date: {created}\nproperties:\n  os: testos\n  description: Test image\n";

    /// <summary>A unified gzip tarball with metadata.yaml and rootfs/.</summary>
    public static byte[] Unified(string? metadata = null, bool withRootfs = true, bool withMetadata = true)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            if (withMetadata)
            {
                AddFile(tar, "metadata.yaml", metadata ?? Metadata());
            }

            if (withRootfs)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "rootfs/"));
                AddFile(tar, "rootfs/hello", "hello\n");
            }
        }

        return output.ToArray();
    }

    /// <summary>A split image: a metadata tarball and a rootfs tarball.</summary>
    public static (byte[] Metadata, byte[] Rootfs) Split()
    {
        using var meta = new MemoryStream();
        using (var gzip = new GZipStream(meta, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            AddFile(tar, "metadata.yaml", Metadata());
        }

        using var root = new MemoryStream();
        using (var gzip = new GZipStream(root, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            AddFile(tar, "./etc/hostname", "split\n");
        }

        return (meta.ToArray(), root.ToArray());
    }

    public static string Sha256(params byte[][] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            hash.AppendData(part);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AddFile(TarWriter tar, string name, string content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        tar.WriteEntry(entry);
    }
}
