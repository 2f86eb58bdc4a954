using System.Buffers;
using System.IO.Pipelines;
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
            var size = await CopyBodyAsync(request.BodyReader, path, hash, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// A raw body straight from Kestrel's pipe: it receives at most 4 KiB per read, so waiting for 256 KiB at a time
    /// (below Kestrel's 1 MiB pause threshold) saves thousands of wakeups and small writes on a large image.
    /// </summary>
    private static async Task<long> CopyBodyAsync(PipeReader body, string path, IncrementalHash hash, CancellationToken cancellationToken)
    {
        try
        {
            await using var writer = new ImageFileWriter(path, [hash]);
            var filled = 0;
            while (true)
            {
                var result = await body.ReadAtLeastAsync(256 * 1024, cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    var take = (int)Math.Min(buffer.Length, writer.Next.Length - filled);
                    buffer.Slice(0, take).CopyTo(writer.Next.Span[filled..]);
                    buffer = buffer.Slice(take);
                    filled += take;
                    if (filled == writer.Next.Length)
                    {
                        await writer.CommitAsync(filled, cancellationToken).ConfigureAwait(false);
                        filled = 0;
                    }
                }

                body.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await writer.CommitAsync(filled, cancellationToken).ConfigureAwait(false);
            await writer.CommitAsync(0, cancellationToken).ConfigureAwait(false); // the end: waits for the last chunk's hash
            return writer.Written;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static async Task<long> CopyAsync(Stream source, string path, IncrementalHash hash, CancellationToken cancellationToken)
    {
        try
        {
            return await ImageFileWriter.CopyAsync(source, path, [hash], null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
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
