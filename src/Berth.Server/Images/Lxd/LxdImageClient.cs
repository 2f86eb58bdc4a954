using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Api;
using Berth.Api.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Berth.Server.Images.Lxd;

/// <summary>An image found on an LXD-protocol server, with what is needed to fetch it.</summary>
public sealed record LxdRemoteImage(Uri Server, string Fingerprint, long Size, Dictionary<string, string> Properties, string Certificate, string Secret, string Project);

/// <summary>
/// Reads images from another LXD (or berthd) over HTTPS as an untrusted client, as LXD's image downloader does:
/// the alias, then the image record, then <c>/export</c> (one file, or multipart metadata + rootfs) streamed to the
/// images dir and hashed on the way. The server certificate is pinned when one is given.
/// </summary>
public sealed class LxdImageClient(ImageService images)
{
    public async Task<LxdRemoteImage> FindAsync(Uri server, string name, string certificate, string secret, string project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var http = CreateClient(server, certificate);

        // With a secret the name is the full fingerprint (what LXD clients send) and only /export is asked: LXD
        // spends a secret on its first use, so a GET first would leave nothing for the download.
        if (secret.Length > 0)
        {
            if (name.Length != 64 || !name.All(char.IsAsciiHexDigit))
            {
                throw new ApiException(400, "A secret needs the image's full fingerprint");
            }

            return new LxdRemoteImage(server, name.ToLowerInvariant(), 0, [], certificate, secret, project);
        }

        var fingerprint = name;
        var alias = await GetAsync(http, Url(server, "/1.0/images/aliases/" + Uri.EscapeDataString(name), project, ""), ApiJsonContext.Wire.ImageAliasesEntry, cancellationToken).ConfigureAwait(false);
        if (alias is not null)
        {
            fingerprint = alias.Target;
        }

        var image = await GetAsync(http, Url(server, "/1.0/images/" + Uri.EscapeDataString(fingerprint), project, ""), ApiJsonContext.Wire.Image, cancellationToken).ConfigureAwait(false)
            ?? throw new ApiException(404, $"The image \"{name}\" was not found on {server}");
        return new LxdRemoteImage(server, image.Fingerprint, image.Size, image.Properties, certificate, secret, project);
    }

    public async Task<ImageUpload> DownloadAsync(LxdRemoteImage image, Action<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var http = CreateClient(image.Server, image.Certificate);
        var url = Url(image.Server, $"/1.0/images/{image.Fingerprint}/export", image.Project, image.Secret);
        using var response = await SendAsync(http, url, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, url, cancellationToken).ConfigureAwait(false);
        }

        var total = image.Size > 0 ? image.Size : response.Content.Headers.ContentLength ?? 0;
        using var combined = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        long before = 0;
        void Report(string stage, long done, bool force = false)
        {
            if (progress is not null && (force || clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(250)))
            {
                lastReport = clock.Elapsed;
                progress(new DownloadProgress(stage, before + done, total, (long)((before + done) / Math.Max(clock.Elapsed.TotalSeconds, 0.001))));
            }
        }

        string? metadataPath = null;
        string? rootfsPath = null;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType;
            long size;
            if (contentType?.MediaType == "multipart/form-data")
            {
                var boundary = HeaderUtilities.RemoveQuotes(contentType.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value).Value
                    ?? throw new ApiException(400, $"{image.Server} sent a multipart image without a boundary");
                var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = 16 * 1024, BodyLengthLimit = null };
                while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
                {
                    var part = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                        ? HeaderUtilities.RemoveQuotes(disposition.Name).Value
                        : null;
                    if (part == "metadata" && metadataPath is null)
                    {
                        metadataPath = images.NewUploadPath();
                        before += await ImageFileWriter.CopyAsync(section.Body, metadataPath, [combined], n => Report("metadata", n), cancellationToken).ConfigureAwait(false);
                    }
                    else if (part is "rootfs" or "rootfs.img" && metadataPath is not null && rootfsPath is null)
                    {
                        rootfsPath = images.NewUploadPath();
                        before += await ImageFileWriter.CopyAsync(section.Body, rootfsPath, [combined], n => Report("rootfs", n), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        throw new ApiException(400, $"{image.Server} sent an unexpected image part \"{part}\"");
                    }
                }

                if (metadataPath is null || rootfsPath is null)
                {
                    throw new ApiException(400, $"{image.Server} sent a split image without its metadata and rootfs parts");
                }

                size = before;
            }
            else
            {
                metadataPath = images.NewUploadPath();
                size = await ImageFileWriter.CopyAsync(body, metadataPath, [combined], n => Report("rootfs", n), cancellationToken).ConfigureAwait(false);
            }

            before = 0;
            total = total > 0 ? total : size;
            Report("rootfs", size, force: true);
            var fingerprint = Convert.ToHexStringLower(combined.GetHashAndReset());
            if (fingerprint != image.Fingerprint)
            {
                throw new ApiException(400, $"Image fingerprint mismatch: {image.Server} sent {fingerprint}, expected {image.Fingerprint}");
            }

            var filename = response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? fingerprint;
            return new ImageUpload(metadataPath, rootfsPath, fingerprint, size, Path.GetFileName(filename), false, image.Properties, fingerprint);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            Delete(metadataPath, rootfsPath);
            throw new ApiException(400, $"Failed to download the image from {image.Server}: {e.Message}");
        }
        catch
        {
            Delete(metadataPath, rootfsPath);
            throw;
        }
    }

    private static void Delete(params string?[] paths)
    {
        foreach (var path in paths)
        {
            if (path is not null)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>GET returning the metadata, or null on 404.</summary>
    private static async Task<T?> GetAsync<T>(HttpClient http, Uri url, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendAsync(http, url, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, url, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var envelope = await response.Content.ReadFromJsonAsync(ApiJsonContext.Wire.ResponseRaw, cancellationToken).ConfigureAwait(false);
            return envelope?.Metadata.Deserialize(type) ?? throw new ApiException(400, $"Empty answer from {url.GetLeftPart(UriPartial.Path)}");
        }
        catch (JsonException e)
        {
            throw new ApiException(400, $"Invalid answer from {url.GetLeftPart(UriPartial.Path)}: {e.Message}");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(400, $"Failed to connect to {url.GetLeftPart(UriPartial.Authority)}: {e.Message}");
        }
    }

    /// <summary>The remote's own error envelope when it sent one.</summary>
    internal static async Task<ApiException> ErrorAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            var envelope = await response.Content.ReadFromJsonAsync(ApiJsonContext.Wire.ResponseRaw, cancellationToken).ConfigureAwait(false);
            if (envelope is { Error.Length: > 0 })
            {
                return new ApiException(status == 404 ? 404 : 400, $"{url.GetLeftPart(UriPartial.Authority)}: {envelope.Error}");
            }
        }
        catch (JsonException)
        {
        }

        return new ApiException(status == 404 ? 404 : 400, $"{url.GetLeftPart(UriPartial.Path)} answered {status} {response.ReasonPhrase}");
    }

    internal static Uri Url(Uri server, string path, string project, string secret)
    {
        var query = new List<string>();
        if (project.Length > 0 && project != "default")
        {
            query.Add("project=" + Uri.EscapeDataString(project));
        }

        if (secret.Length > 0)
        {
            query.Add("secret=" + Uri.EscapeDataString(secret));
        }

        return new Uri(server, path + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
    }

    private static HttpClient CreateClient(Uri server, string certificate)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
        if (certificate.Length > 0)
        {
            X509Certificate2 pinned;
            try
            {
                pinned = X509Certificate2.CreateFromPem(certificate);
            }
            catch (CryptographicException e)
            {
                throw new ApiException(400, $"Invalid certificate for {server}: {e.Message}");
            }

            var raw = pinned.RawData;
            pinned.Dispose();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(raw);
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromHours(1) };
    }
}
