using System.Formats.Tar;
using System.Text;
using Berth.Api;

namespace Berth.Server.Images;

/// <summary>
/// What an image's files hold. <paramref name="Complete"/>: every byte was read (a truncated or corrupt archive
/// would have been refused); false when only the head was, the tail looking whole (<see cref="ArchiveTail"/>).
/// </summary>
public sealed record ImageContents(ImageMetadata Metadata, string Type, FileKind MetadataKind, FileKind? RootfsKind, bool Complete);

public static class ImageArchive
{
    /// <summary>Archives up to this size are always read whole at import (a few tens of ms at most).</summary>
    public const long ReadWholeUpTo = 8 << 20;

    /// <summary>
    /// Inspects a unified tarball, or a split image's metadata tarball and rootfs file. Like LXD it needs only the
    /// head (metadata.yaml and the start of the rootfs), so an image larger than <see cref="ReadWholeUpTo"/> is read to
    /// the end here only when its tail does not look whole; otherwise <see cref="Verify"/> does that after the import.
    /// </summary>
    public static ImageContents Inspect(string metadataPath, string? rootfsPath)
    {
        var kind = Compression.Detect(metadataPath);
        if (kind is FileKind.Unknown or FileKind.Squashfs or FileKind.Qcow2)
        {
            throw new ApiException(400, "Invalid image: the " + (rootfsPath is null ? "image" : "metadata") + " file is not a (compressed) tarball");
        }

        // A split image's metadata tarball is small: always read whole.
        var scan = Scan(metadataPath, kind, rootfsPath is null && HeadIsEnough(metadataPath, kind) ? HasMetadataAndRootfs : null, default);
        var metadata = ImageMetadata.Parse(scan.MetadataYaml ?? throw new ApiException(400, "Invalid image: metadata.yaml is missing"));
        if (rootfsPath is null)
        {
            if (!scan.HasRootfsDir && !scan.HasRootfsImg)
            {
                throw new ApiException(400, "Invalid image: the tarball has no rootfs");
            }

            return new ImageContents(metadata, scan.HasRootfsImg ? "virtual-machine" : "container", kind, null, scan.Complete);
        }

        var rootKind = Compression.Detect(rootfsPath);
        switch (rootKind)
        {
            case FileKind.Squashfs:
                return new ImageContents(metadata, "container", kind, rootKind, true);
            case FileKind.Qcow2:
                return new ImageContents(metadata, "virtual-machine", kind, rootKind, true);
            case FileKind.Unknown:
                throw new ApiException(400, "Invalid image: the rootfs file is neither a squashfs, a qcow2 nor a tarball");
            default:
                var rootScan = Scan(rootfsPath, rootKind, HeadIsEnough(rootfsPath, rootKind) ? HasAnEntry : null, default);
                return new ImageContents(metadata, "container", kind, rootKind, rootScan.Complete);
        }
    }

    /// <summary>Reads every byte of the image's archives (what <see cref="Inspect"/> skipped); a 400 if one is corrupt.</summary>
    public static void Verify(string metadataPath, string? rootfsPath, CancellationToken cancellationToken)
    {
        Scan(metadataPath, Compression.Detect(metadataPath), null, cancellationToken);
        if (rootfsPath is not null && Compression.Detect(rootfsPath) is not (FileKind.Squashfs or FileKind.Qcow2) and var rootKind)
        {
            Scan(rootfsPath, rootKind, null, cancellationToken);
        }
    }

    private static bool HeadIsEnough(string path, FileKind kind) => new FileInfo(path).Length > ReadWholeUpTo && ArchiveTail.LooksComplete(path, kind);

    private static bool HasMetadataAndRootfs(ScanResult scan) => scan.MetadataYaml is not null && (scan.HasRootfsDir || scan.HasRootfsImg);

    private static bool HasAnEntry(ScanResult scan) => scan.Entries > 0;

    /// <summary>Walks the tar; stops once <paramref name="enough"/> holds, else reads to the end (Complete).</summary>
    private static ScanResult Scan(string path, FileKind kind, Func<ScanResult, bool>? enough, CancellationToken cancellationToken)
    {
        var result = new ScanResult();
        try
        {
            using var stream = Compression.OpenTar(path, kind);
            using var reader = new TarReader(stream, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                result.Entries++;
                var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                if (name == "metadata.yaml" && entry.DataStream is not null)
                {
                    if (entry.Length > 1024 * 1024)
                    {
                        throw new ApiException(400, "Invalid image: metadata.yaml is larger than 1 MiB");
                    }

                    using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                    result.MetadataYaml = text.ReadToEnd();
                }
                else if (name == "rootfs" || name.StartsWith("rootfs/", StringComparison.Ordinal))
                {
                    result.HasRootfsDir = true;
                }
                else if (name == "rootfs.img")
                {
                    result.HasRootfsImg = true;
                }

                if (enough?.Invoke(result) == true)
                {
                    return result;
                }
            }

            // Drain to the end so a truncated compressed stream is noticed.
            stream.CopyTo(Stream.Null);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException)
        {
            throw new ApiException(400, "Invalid image: corrupt or truncated archive: " + e.Message);
        }

        result.Complete = true;
        return result;
    }

    private sealed class ScanResult
    {
        public string? MetadataYaml { get; set; }

        public bool HasRootfsDir { get; set; }

        public bool HasRootfsImg { get; set; }

        public int Entries { get; set; }

        public bool Complete { get; set; }
    }
}
