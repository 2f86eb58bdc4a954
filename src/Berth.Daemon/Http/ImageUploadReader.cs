using System.Security.Cryptography;
using Berth.Api;
using Berth.Server.Images;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Berth.Daemon.Http;

/// <summary>
/// Receives an image upload straight to disk, hashing it on the way (never held in memory): a raw body for a
/// unified image, or multipart <c>metadata</c> + <c>rootfs</c> for a split one.
/// </summary>
internal static class ImageUploadReader
{
    private const int BufferSize = 1 << 20;

    public static async Task<ImageUpload> ReadAsync(HttpRequest request, ImageService images, CancellationToken cancellationToken)
    {
        var headers = request.Headers;
        var isPublic = headers["X-LXD-public"].ToString() is "true" or "1";
        var properties = ParseProperties(headers["X-LXD-properties"]);
        var expected = headers["X-LXD-fingerprint"].ToString();
        var filename = Path.GetFileName(headers["X-LXD-filename"].ToString());

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var contentType = request.ContentType ?? "";
        if (!contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var path = images.NewUploadPath();
            var size = await CopyAsync(request.Body, path, hash, cancellationToken).ConfigureAwait(false);
            if (size == 0)
            {
                File.Delete(path);
                throw new ApiException(400, "Empty image upload");
            }

            return new ImageUpload(path, null, Convert.ToHexStringLower(hash.GetHashAndReset()), size, filename, isPublic, properties, expected);
        }

        string? metadataPath = null;
        string? rootfsPath = null;
        long total = 0;
        try
        {
            var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(contentType).Boundary).Value
                ?? throw new ApiException(400, "Multipart upload without a boundary");
            var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                var name = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    ? HeaderUtilities.RemoveQuotes(disposition.Name).Value
                    : null;
                if (name == "metadata" && metadataPath is null)
                {
                    metadataPath = images.NewUploadPath();
                    total += await CopyAsync(section.Body, metadataPath, hash, cancellationToken).ConfigureAwait(false);
                }
                else if (name is "rootfs" or "rootfs.img" && rootfsPath is null)
                {
                    if (metadataPath is null)
                    {
                        throw new ApiException(400, "Multipart upload: the metadata part must come before the rootfs part");
                    }

                    rootfsPath = images.NewUploadPath();
                    total += await CopyAsync(section.Body, rootfsPath, hash, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    throw new ApiException(400, $"Multipart upload: unexpected part \"{name}\"");
                }
            }

            if (metadataPath is null || rootfsPath is null)
            {
                throw new ApiException(400, "Multipart upload needs a metadata and a rootfs part");
            }

            return new ImageUpload(metadataPath, rootfsPath, Convert.ToHexStringLower(hash.GetHashAndReset()), total, filename, isPublic, properties, expected);
        }
        catch
        {
            DeleteIfSet(metadataPath);
            DeleteIfSet(rootfsPath);
            throw;
        }
    }

    private static async Task<long> CopyAsync(Stream source, string path, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return total;
    }

    /// <summary>X-LXD-properties: URL-encoded <c>key=value&amp;...</c>, possibly repeated.</summary>
    private static Dictionary<string, string> ParseProperties(Microsoft.Extensions.Primitives.StringValues values)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var (key, entry) in QueryHelpers.ParseQuery(value))
            {
                properties[key] = entry.ToString();
            }
        }

        return properties;
    }

    private static void DeleteIfSet(string? path)
    {
        if (path is not null)
        {
            File.Delete(path);
        }
    }
}
