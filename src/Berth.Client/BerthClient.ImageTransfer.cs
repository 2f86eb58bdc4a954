using System.Security.Cryptography;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Client.Transport;

namespace Berth.Client;

/// <summary>What an image export wrote: the server's file names and the sizes (a unified image has no rootfs).</summary>
public sealed record ImageFileResult(string MetaName, long MetaSize, string RootfsName, long RootfsSize);

public sealed partial class BerthClient
{
    /// <summary>
    /// Downloads <c>/1.0/images/{fingerprint}/export</c> as lxc's client does: a unified image into
    /// <paramref name="metaFile"/>, a split one (multipart) into <paramref name="metaFile"/> and
    /// <paramref name="rootfsFile"/>; the bytes are checked against the fingerprint on the way.
    /// <paramref name="progress"/> receives the bytes received so far and the total, when known.
    /// </summary>
    public async Task<ImageFileResult> ExportImageAsync(string fingerprint, Stream metaFile, Stream rootfsFile, Action<long, long>? progress = null, string? secret = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(metaFile);
        ArgumentNullException.ThrowIfNull(rootfsFile);
        var path = $"/1.0/images/{Escape(fingerprint)}/export" + (string.IsNullOrEmpty(secret) ? "" : "?secret=" + Uri.EscapeDataString(secret));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, WithProject(path)));
        Log?.Invoke($"Sending request: method=GET url={request.RequestUri}");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var total = response.Content.Headers.ContentLength ?? 0;
        long received = 0;
        Stream Counted(Stream target) => new HashingWriteStream(target, hash, n =>
        {
            received += n;
            progress?.Invoke(received, total);
        });

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        ImageFileResult result;
        var contentType = response.Content.Headers.ContentType;
        if (contentType?.MediaType == "multipart/form-data")
        {
            var boundary = contentType.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value?.Trim('"')
                ?? throw new ApiException(500, "The server sent a multipart image without a boundary");
            var reader = new MultipartFileReader(body, boundary);
            try
            {
                var meta = await reader.CopyNextAsync(part => part.Name == "metadata"
                    ? Counted(metaFile)
                    : throw new ApiException(500, $"Invalid multipart image file: expected metadata, got \"{part.Name}\""), cancellationToken).ConfigureAwait(false)
                    ?? throw new ApiException(500, "Invalid multipart image file: no metadata part");
                var rootfs = await reader.CopyNextAsync(part => part.Name is "rootfs" or "rootfs.img"
                    ? Counted(rootfsFile)
                    : throw new ApiException(500, $"Invalid multipart image file: expected rootfs, got \"{part.Name}\""), cancellationToken).ConfigureAwait(false)
                    ?? throw new ApiException(500, "Invalid multipart image file: no rootfs part");
                result = new ImageFileResult(meta.Part.FileName, meta.Size, rootfs.Part.FileName, rootfs.Size);
            }
            catch (InvalidDataException e)
            {
                throw new ApiException(500, "Invalid multipart image file: " + e.Message);
            }
        }
        else
        {
            var size = 0L;
            var target = Counted(metaFile);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                size += read;
            }

            var name = response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "";
            result = new ImageFileResult(name, size, "", 0);
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return actual == fingerprint.ToLowerInvariant()
            ? result
            : throw new ApiException(500, $"Image fingerprint doesn't match. Got {actual} expected {fingerprint}");
    }

    /// <summary>
    /// Where another server can reach this one to pull images (lxc's connection info): this client's HTTPS address
    /// first, then the server's <c>core.https_address</c> addresses, and the certificate it presents.
    /// </summary>
    public async Task<(List<string> Addresses, string Certificate)> GetConnectionInfoAsync(CancellationToken cancellationToken = default)
    {
        var (server, _) = await GetServerAsync(cancellationToken).ConfigureAwait(false);
        var addresses = new List<string>();
        if (BaseAddress.Scheme == Uri.UriSchemeHttps)
        {
            addresses.Add(BaseAddress.GetLeftPart(UriPartial.Authority));
        }

        foreach (var address in server.Environment.Addresses)
        {
            var url = "https://" + address;
            if (!addresses.Contains(url, StringComparer.Ordinal))
            {
                addresses.Add(url);
            }
        }

        return (addresses, server.Environment.Certificate);
    }

    /// <summary><c>POST /1.0/images/{fingerprint}/secret</c>: a one-time secret that lets another server fetch a private image.</summary>
    public async Task<string> CreateImageSecretAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(HttpMethod.Post, $"/1.0/images/{Escape(fingerprint)}/secret", cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation);
        return operation?.Metadata is { } metadata && metadata.TryGetValue("secret", out var secret) && secret.GetString() is { Length: > 0 } value
            ? value
            : throw new ApiException(500, "The server did not return an image secret");
    }

    /// <summary>
    /// Asks this server to pull an image (<c>POST /1.0/images</c>, <c>source.type=image</c>) from each of
    /// <paramref name="servers"/> in turn until one works, as lxc does; returns the new image's fingerprint.
    /// <paramref name="progress"/> sees the operation as it runs (its <c>download_progress</c>).
    /// </summary>
    public async Task<string> PullImageAsync(ImagesPost request, IReadOnlyList<string> servers, Action<Operation>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(servers);
        var source = request.Source ?? throw new ArgumentException("The request needs a source", nameof(request));
        if (servers.Count == 0)
        {
            throw new ApiException(400, "The source server isn't listening on the network");
        }

        var errors = new List<string>();
        foreach (var server in servers)
        {
            source.Server = server;
            try
            {
                var (response, _) = await SendJsonAsync(HttpMethod.Post, "/1.0/images", request, ApiJsonContext.Wire.ImagesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
                var operation = await WaitOperationAsync(response, progress, cancellationToken).ConfigureAwait(false);
                return operation.Metadata is { } metadata && metadata.TryGetValue("fingerprint", out var fp) && fp.GetString() is { } fingerprint
                    ? fingerprint
                    : throw new ApiException(500, "The server did not report the image fingerprint");
            }
            catch (ApiException e) when (servers.Count > 1)
            {
                errors.Add($"{server}: {e.Message}");
            }
        }

        throw new ApiException(400, "Failed remote image download:\n - " + string.Join("\n - ", errors));
    }

    /// <summary>As <see cref="WaitOperationAsync(ResponseRaw, CancellationToken)"/>, showing the running operation to <paramref name="progress"/> about once a second.</summary>
    internal async Task<Operation> WaitOperationAsync(ResponseRaw response, Action<Operation>? progress, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        }

        if (response.Type != ResponseType.Async)
        {
            throw new ApiException(500, "Expected an operation from the server");
        }

        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation)!;
        while (!StatusCode.IsFinal(operation.StatusCode))
        {
            progress(operation);
            (operation, _) = await GetAsync($"/1.0/operations/{operation.Id}/wait?timeout=1", ApiJsonContext.Wire.Operation, cancellationToken).ConfigureAwait(false);
        }

        return operation.StatusCode == StatusCode.Success ? operation : throw new ApiException(400, operation.Err);
    }

    /// <summary>Passes writes on to a file while hashing them (a split image's fingerprint covers both files in order).</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash, Action<int> written) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            written(buffer.Length);
        }
    }
}
