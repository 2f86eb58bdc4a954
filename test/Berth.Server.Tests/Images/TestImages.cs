using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Berth.Server.Images;

namespace Berth.Server.Tests.Images;

/// <summary>Builds image tarballs for tests: real tar and gzip, a tiny fake rootfs (or one large file).</summary>
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

    /// <summary>
    /// A unified gzip image above <see cref="ImageArchive.ReadWholeUpTo"/>: metadata.yaml, rootfs/, then a file of
    /// seeded random bytes (which gzip stores as they are, so the image stays that large).
    /// </summary>
    public static byte[] Large()
    {
        var blob = new byte[(int)ImageArchive.ReadWholeUpTo + (1 << 20)];
        new Random(7).NextBytes(blob);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            AddFile(tar, "metadata.yaml", Metadata());
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "rootfs/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "rootfs/blob") { DataStream = new MemoryStream(blob) });
        }

        return output.ToArray();
    }

    /// <summary>The image with one byte in the middle changed: its head and tail still look whole; its CRC does not match.</summary>
    public static byte[] CorruptMiddle(byte[] image)
    {
        var copy = (byte[])image.Clone();
        copy[copy.Length / 2] ^= 0xff;
        return copy;
    }

    /// <summary>
    /// The image cut near its middle, at a point whose last four bytes cannot pass for a gzip trailer of a tar (a
    /// cut passes by chance once in 512: <see cref="ArchiveTail"/>), so the cut is noticed at import.
    /// </summary>
    public static byte[] CutNoticeably(byte[] image)
    {
        var end = image.Length / 2;
        while (BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(end - 4, 4)) % 512 == 0)
        {
            end++;
        }

        return image[..end];
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
