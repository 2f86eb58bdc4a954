using System.Formats.Tar;
using System.Text;
using Berth.Api;

namespace Berth.Server.Images;

/// <summary>What an image's files hold, checked by reading every byte once (a truncated archive is rejected).</summary>
public sealed record ImageContents(ImageMetadata Metadata, string Type, FileKind MetadataKind, FileKind? RootfsKind);

public static class ImageArchive
{
    /// <summary>Inspects a unified tarball, or a split image's metadata tarball and rootfs file.</summary>
    public static ImageContents Inspect(string metadataPath, string? rootfsPath)
    {
        var kind = Compression.Detect(metadataPath);
        if (kind is FileKind.Unknown or FileKind.Squashfs or FileKind.Qcow2)
        {
            throw new ApiException(400, "Invalid image: the " + (rootfsPath is null ? "image" : "metadata") + " file is not a (compressed) tarball");
        }

        var scan = Scan(metadataPath, kind);
        var metadata = ImageMetadata.Parse(scan.MetadataYaml ?? throw new ApiException(400, "Invalid image: metadata.yaml is missing"));
        if (rootfsPath is null)
        {
            if (!scan.HasRootfsDir && !scan.HasRootfsImg)
            {
                throw new ApiException(400, "Invalid image: the tarball has no rootfs");
            }

            return new ImageContents(metadata, scan.HasRootfsImg ? "virtual-machine" : "container", kind, null);
        }

        var rootKind = Compression.Detect(rootfsPath);
        switch (rootKind)
        {
            case FileKind.Squashfs:
                return new ImageContents(metadata, "container", kind, rootKind);
            case FileKind.Qcow2:
                return new ImageContents(metadata, "virtual-machine", kind, rootKind);
            case FileKind.Unknown:
                throw new ApiException(400, "Invalid image: the rootfs file is neither a squashfs, a qcow2 nor a tarball");
            default:
                Scan(rootfsPath, rootKind);
                return new ImageContents(metadata, "container", kind, rootKind);
        }
    }

    private static ScanResult Scan(string path, FileKind kind)
    {
        var result = new ScanResult();
        try
        {
            using var stream = Compression.OpenTar(path, kind);
            using var reader = new TarReader(stream, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
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
            }

            // Drain to the end so a truncated compressed stream is noticed.
            stream.CopyTo(Stream.Null);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException)
        {
            throw new ApiException(400, "Invalid image: corrupt or truncated archive: " + e.Message);
        }

        return result;
    }

    private sealed class ScanResult
    {
        public string? MetadataYaml { get; set; }

        public bool HasRootfsDir { get; set; }

        public bool HasRootfsImg { get; set; }
    }
}
