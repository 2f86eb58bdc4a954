using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// <c>POST /1.0/images</c> with <c>source.mode=push</c>: a push token on this (target) server, as lxc's
    /// CopyImage in push mode asks for. Returns the token operation's id and secret.
    /// </summary>
    public async Task<(string OperationId, string Secret)> CreateImagePushTokenAsync(ImagesPost request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (response, _) = await SendJsonAsync(HttpMethod.Post, "/1.0/images", request, ApiJsonContext.Wire.ImagesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation);
        return operation?.Metadata is { } metadata && metadata.TryGetValue("secret", out var secret) && secret.GetString() is { Length: > 0 } value
            ? (operation.Id, value)
            : throw new ApiException(500, "No token provided");
    }

    /// <summary>
    /// <c>POST /1.0/images/{fingerprint}/export</c> (extension images_push_relay): this (source) server pushes the
    /// image to <see cref="ImageExportPost.Target"/>; waits for its operation.
    /// </summary>
    public async Task PushImageAsync(string fingerprint, ImageExportPost request, Action<Operation>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(request);
        var (server, _) = await GetServerAsync(cancellationToken).ConfigureAwait(false);
        if (!server.ApiExtensions.Contains("images_push_relay"))
        {
            throw new ApiException(400, "The server is missing the required \"images_push_relay\" API extension");
        }

        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/images/{Escape(fingerprint)}/export", request, ApiJsonContext.Wire.ImageExportPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads an image from files (streamed from disk): one file for a unified image, multipart metadata + rootfs
    /// for a split one, as lxc's CreateImage does; waits for the operation and returns the fingerprint.
    /// </summary>
    public async Task<string> UploadImageFilesAsync(string metadataPath, string? rootfsPath, string filename, bool isPublic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadataPath);
        ArgumentNullException.ThrowIfNull(filename);
        if (rootfsPath is null)
        {
            return await UploadImageAsync(metadataPath, isPublic, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await using var metadata = File.OpenRead(metadataPath);
        await using var rootfs = File.OpenRead(rootfsPath);
        using var content = new MultipartFormDataContent("berth-" + Guid.NewGuid().ToString("N"));
        var metadataPart = new StreamContent(metadata, 1 << 20);
        metadataPart.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(metadataPart, "metadata", filename);
        var rootfsPart = new StreamContent(rootfs, 1 << 20);
        rootfsPart.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(rootfsPart, "rootfs", filename);
        content.Headers.Add("X-LXD-filename", filename);
        content.Headers.Add("X-LXD-public", isPublic ? "1" : "0");
        var (response, _) = await RawAsync(HttpMethod.Post, "/1.0/images", content, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Metadata is { } done && done.TryGetValue("fingerprint", out var fp) && fp.GetString() is { } fingerprint
            ? fingerprint
            : throw new ApiException(500, "The server did not report the image fingerprint");
    }
}
