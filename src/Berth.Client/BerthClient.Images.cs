using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>Uploads a unified image file (streamed from disk) and waits for the operation; returns the fingerprint.</summary>
    public async Task<string> UploadImageAsync(string path, bool isPublic = false, IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("X-LXD-filename", Path.GetFileName(path));
        content.Headers.Add("X-LXD-public", isPublic ? "1" : "0");
        if (properties is { Count: > 0 })
        {
            content.Headers.Add("X-LXD-properties", string.Join('&', properties.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
        }

        var (response, _) = await RawAsync(HttpMethod.Post, "/1.0/images", content, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Metadata is { } metadata && metadata.TryGetValue("fingerprint", out var fp)
            ? fp.GetString() ?? throw new ApiException(500, "The server did not report the image fingerprint")
            : throw new ApiException(500, "The server did not report the image fingerprint");
    }

    public Task CreateImageAliasAsync(string name, string target, string description = "", CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/images/aliases", new ImageAliasesPost { Name = name, Target = target, Description = description }, ApiJsonContext.Wire.ImageAliasesPost, cancellationToken: cancellationToken);

    /// <summary>Waits for the operation of an async response to finish; a failed operation becomes an <see cref="ApiException"/>.</summary>
    internal async Task<Operation> WaitOperationAsync(ResponseRaw response, CancellationToken cancellationToken)
    {
        if (response.Type != ResponseType.Async)
        {
            throw new ApiException(500, "Expected an operation from the server");
        }

        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation)!;
        while (!StatusCode.IsFinal(operation.StatusCode))
        {
            (operation, _) = await GetAsync($"/1.0/operations/{operation.Id}/wait?timeout=30", ApiJsonContext.Wire.Operation, cancellationToken).ConfigureAwait(false);
        }

        return operation.StatusCode == StatusCode.Success ? operation : throw new ApiException(400, operation.Err);
    }
}
