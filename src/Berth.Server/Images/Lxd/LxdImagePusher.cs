using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Security;

namespace Berth.Server.Images.Lxd;

/// <summary>
/// The source side of LXD's push image copy (<c>POST /1.0/images/&lt;fp&gt;/export</c>): connects to the target over
/// HTTPS, presenting this server's certificate and accepting only the target certificate the client passed, and
/// uploads the stored bytes (one file, or multipart metadata + rootfs) with <c>X-LXD-fingerprint</c> and
/// <c>X-LXD-secret</c>, the target's push token. Then waits for the target's import operation.
/// </summary>
/// <param name="handlers">An HTTPS handler that presents our certificate and pins the given peer fingerprint.</param>
public sealed class LxdImagePusher(Func<string?, HttpMessageHandler> handlers)
{
    /// <summary>
    /// Pushes the image stored at <paramref name="metadataPath"/> (+ <paramref name="rootfsPath"/>) under the
    /// <paramref name="name"/> the client used (LXD sends it as X-LXD-fingerprint, matching the target's token).
    /// </summary>
    public async Task PushAsync(string name, string filename, string metadataPath, string? rootfsPath, ImageExportPost request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = Validate(request);
        using var http = new HttpClient(handlers(RemoteHttpClient.FingerprintOfPem(request.Certificate)), disposeHandler: true) { Timeout = TimeSpan.FromHours(1) };
        var url = LxdImageClient.Url(target, "/1.0/images", request.Project, "");
        using var content = Content(name, filename, metadataPath, rootfsPath);
        using var post = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        post.Headers.Add("X-LXD-fingerprint", name);
        post.Headers.Add("X-LXD-secret", request.Secret);
        if (filename.Length > 0)
        {
            post.Headers.TryAddWithoutValidation("X-LXD-filename", filename);
        }

        Operation operation;
        using (var response = await SendAsync(http, post, target, cancellationToken).ConfigureAwait(false))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await LxdImageClient.ErrorAsync(response, url, cancellationToken).ConfigureAwait(false);
            }

            operation = await ReadOperationAsync(response, url, cancellationToken).ConfigureAwait(false)
                ?? throw new ApiException(400, $"{target} answered the image upload without an operation");
        }

        // The import may still run on the target: wait for it, with the secret its operation carries (LXD's way for
        // an untrusted client). A target that refuses the wait had already answered with the upload's state.
        var secret = operation.Metadata?.GetValueOrDefault("secret") is { ValueKind: JsonValueKind.String } s ? s.GetString() ?? "" : "";
        if (!StatusCode.IsFinal(operation.StatusCode))
        {
            var wait = LxdImageClient.Url(target, $"/1.0/operations/{Uri.EscapeDataString(operation.Id)}/wait", request.Project, secret);
            using var waitRequest = new HttpRequestMessage(HttpMethod.Get, wait);
            using var response = await SendAsync(http, waitRequest, target, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                operation = await ReadOperationAsync(response, wait, cancellationToken).ConfigureAwait(false) ?? operation;
            }
            else if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound))
            {
                throw await LxdImageClient.ErrorAsync(response, wait, cancellationToken).ConfigureAwait(false);
            }
        }

        if (operation.StatusCode is StatusCode.Failure or StatusCode.Cancelled)
        {
            throw new ApiException(400, $"Failed operation \"{operation.Status}\": \"{operation.Err}\"");
        }
    }

    /// <summary>Checks what can be checked before the operation starts, so bad input is a synchronous 400.</summary>
    public static Uri Validate(ImageExportPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Uri.TryCreate(request.Target, UriKind.Absolute, out var target) || target.Scheme != "https")
        {
            throw new ApiException(400, $"Invalid push target \"{request.Target}\": an https URL is needed");
        }

        if (request.Secret.Length == 0)
        {
            throw new ApiException(400, "A push needs the target's secret");
        }

        if (request.Certificate.Length == 0)
        {
            throw new ApiException(400, "A push needs the target's certificate");
        }

        try
        {
            RemoteHttpClient.FingerprintOfPem(request.Certificate);
        }
        catch (CryptographicException)
        {
            throw new ApiException(400, "Invalid certificate");
        }

        return target;
    }

    private static HttpContent Content(string name, string filename, string metadataPath, string? rootfsPath)
    {
        if (rootfsPath is null)
        {
            var unified = new StreamContent(File.OpenRead(metadataPath), 1 << 20);
            unified.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return unified;
        }

        var split = new MultipartFormDataContent("berth-" + Guid.NewGuid().ToString("N"));
        var metadata = new StreamContent(File.OpenRead(metadataPath), 1 << 20);
        metadata.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        split.Add(metadata, "metadata", filename.Length > 0 ? filename : name);
        var rootfs = new StreamContent(File.OpenRead(rootfsPath), 1 << 20);
        rootfs.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        split.Add(rootfs, "rootfs", (filename.Length > 0 ? filename : name) + ".rootfs");
        return split;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, Uri target, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(400, $"Unable to connect to: {target.Authority} ({e.InnerException?.Message ?? e.Message})");
        }
    }

    private static async Task<Operation?> ReadOperationAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            var envelope = await response.Content.ReadFromJsonAsync(ApiJsonContext.Wire.ResponseRaw, cancellationToken).ConfigureAwait(false);
            return envelope is { Metadata.ValueKind: JsonValueKind.Object } ? envelope.Metadata.Deserialize(ApiJsonContext.Wire.Operation) : null;
        }
        catch (JsonException e)
        {
            throw new ApiException(400, $"Invalid answer from {url.GetLeftPart(UriPartial.Path)}: {e.Message}");
        }
    }
}
