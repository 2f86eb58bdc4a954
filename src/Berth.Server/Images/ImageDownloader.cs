using System.Diagnostics;
using System.Security.Cryptography;
using Berth.Api;
using Berth.Server.Images.SimpleStreams;

namespace Berth.Server.Images;

/// <summary>Download progress: which file, bytes so far, total bytes, bytes per second.</summary>
public readonly record struct DownloadProgress(string Stage, long Done, long Total, long BytesPerSecond)
{
    public int Percent => Total > 0 ? (int)Math.Min(100, Done * 100 / Total) : 0;
}

/// <summary>
/// Fetches a remote image's files straight to the images dir, checking each file's sha256 and the combined
/// fingerprint, so a corrupt or cut-off download leaves nothing behind.
/// </summary>
public sealed class ImageDownloader(HttpClient http, ImageService images)
{
    public async Task<ImageUpload> DownloadAsync(RemoteImage image, Action<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var total = image.Metadata.Size + (image.Rootfs?.Size ?? 0);
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var metadataPath = images.NewUploadPath();
        string? rootfsPath = null;
        try
        {
            var done = await FetchAsync(image.Metadata, metadataPath, combined, "metadata", 0, total, progress, cancellationToken).ConfigureAwait(false);
            if (image.Rootfs is not null)
            {
                rootfsPath = images.NewUploadPath();
                done += await FetchAsync(image.Rootfs, rootfsPath, combined, "rootfs", done, total, progress, cancellationToken).ConfigureAwait(false);
            }

            var fingerprint = Convert.ToHexStringLower(combined.GetHashAndReset());
            if (fingerprint != image.Fingerprint)
            {
                throw new ApiException(400, $"Downloaded image fingerprint {fingerprint} does not match the server's {image.Fingerprint}");
            }

            return new ImageUpload(metadataPath, rootfsPath, fingerprint, done, Path.GetFileName(image.Metadata.Url.AbsolutePath), false, image.Properties, image.Fingerprint);
        }
        catch
        {
            File.Delete(metadataPath);
            if (rootfsPath is not null)
            {
                File.Delete(rootfsPath);
            }

            throw;
        }
    }

    private async Task<long> FetchAsync(RemoteImageFile file, string path, IncrementalHash combined, string stage, long before, long total, Action<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var own = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long received = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        try
        {
            using var response = await http.GetAsync(file.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                own.AppendData(buffer, 0, read);
                combined.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                received += read;
                if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(250))
                {
                    lastReport = clock.Elapsed;
                    progress(new DownloadProgress(stage, before + received, total, (long)(received / Math.Max(clock.Elapsed.TotalSeconds, 0.001))));
                }
            }
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(400, $"Failed to download {file.Url}: {e.Message}");
        }

        var sha = Convert.ToHexStringLower(own.GetHashAndReset());
        if (file.Sha256.Length > 0 && sha != file.Sha256)
        {
            throw new ApiException(400, $"Checksum mismatch for {file.Url}: got {sha}, expected {file.Sha256}");
        }

        progress?.Invoke(new DownloadProgress(stage, before + received, total, (long)(received / Math.Max(clock.Elapsed.TotalSeconds, 0.001))));
        return received;
    }
}
