using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

/// <summary>An entry's metadata from the <c>X-LXD-*</c> headers of the files API (ids as the container sees them).</summary>
public sealed record InstanceFileInfo(string Type, int Uid, int Gid, int Mode);

/// <summary>
/// A file, symlink or directory read from an instance: <see cref="Content"/> streams a file's bytes (or a symlink's
/// target); <see cref="Entries"/> lists a directory. Dispose to release the connection.
/// </summary>
public sealed class InstanceFile : IDisposable
{
    private readonly HttpResponseMessage _response;

    internal InstanceFile(HttpResponseMessage response, InstanceFileInfo info, Stream? content, IReadOnlyList<string> entries)
    {
        _response = response;
        Info = info;
        Content = content ?? Stream.Null;
        Entries = entries;
    }

    public InstanceFileInfo Info { get; }

    public Stream Content { get; }

    public IReadOnlyList<string> Entries { get; }

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }
}

public sealed partial class BerthClient
{
    /// <summary><c>GET .../files?path=</c>, streaming: a missing path throws <see cref="ApiException"/> 404.</summary>
    public async Task<InstanceFile> GetInstanceFileAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WithProject(FilesPath(name, path)));
        Log?.Invoke($"Sending request: method=GET url={request.RequestUri}");
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            var info = FileInfoOf(response);
            if (!response.IsSuccessStatusCode || info is null)
            {
                throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
            }

            if (info.Type == "directory")
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var envelope = JsonSerializer.Deserialize(bytes, ApiJsonContext.Wire.ResponseRaw);
                var entries = envelope?.Metadata.Deserialize(ApiJsonContext.Wire.ListString) ?? [];
                return new InstanceFile(response, info, null, entries);
            }

            return new InstanceFile(response, info, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), []);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Writes a file from <paramref name="content"/> (streamed); -1 leaves uid, gid or mode to the server.</summary>
    public async Task PushInstanceFileAsync(string name, string path, Stream content, int uid = -1, int gid = -1, int mode = -1, bool append = false, CancellationToken cancellationToken = default)
    {
        using var body = new StreamContent(content, 1 << 20);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await PostFileAsync(name, path, body, "file", uid, gid, mode, append ? "append" : "overwrite", cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateInstanceDirectoryAsync(string name, string path, int uid = -1, int gid = -1, int mode = -1, CancellationToken cancellationToken = default)
    {
        using var body = new ByteArrayContent([]);
        await PostFileAsync(name, path, body, "directory", uid, gid, mode, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateInstanceSymlinkAsync(string name, string path, string target, int uid = -1, int gid = -1, CancellationToken cancellationToken = default)
    {
        using var body = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(target));
        await PostFileAsync(name, path, body, "symlink", uid, gid, -1, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteInstanceFileAsync(string name, string path, CancellationToken cancellationToken = default) =>
        await RawAsync(HttpMethod.Delete, FilesPath(name, path), cancellationToken: cancellationToken).ConfigureAwait(false);

    private async Task PostFileAsync(string name, string path, HttpContent body, string type, int uid, int gid, int mode, string? write, CancellationToken cancellationToken)
    {
        var headers = body.Headers;
        headers.Add("X-LXD-type", type);
        if (uid >= 0)
        {
            headers.Add("X-LXD-uid", uid.ToString(CultureInfo.InvariantCulture));
        }

        if (gid >= 0)
        {
            headers.Add("X-LXD-gid", gid.ToString(CultureInfo.InvariantCulture));
        }

        if (mode >= 0)
        {
            headers.Add("X-LXD-mode", "0" + Convert.ToString(mode, 8));
        }

        if (write is not null)
        {
            headers.Add("X-LXD-write", write);
        }

        await RawAsync(HttpMethod.Post, FilesPath(name, path), body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string FilesPath(string name, string path) => $"/1.0/instances/{Escape(name)}/files?path={Uri.EscapeDataString(path)}";

    private static InstanceFileInfo? FileInfoOf(HttpResponseMessage response)
    {
        string? Header(string key) => response.Headers.TryGetValues(key, out var values) ? values.FirstOrDefault() : null;
        if (Header("X-LXD-type") is not { } type)
        {
            return null;
        }

        int Number(string key, int radix)
        {
            var value = Header(key);
            try
            {
                return string.IsNullOrEmpty(value) ? -1 : Convert.ToInt32(value, radix);
            }
            catch (FormatException)
            {
                return -1;
            }
        }

        return new InstanceFileInfo(type, Number("X-LXD-uid", 10), Number("X-LXD-gid", 10), Number("X-LXD-mode", 8));
    }

    private static async Task<ApiException> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize(bytes, ApiJsonContext.Wire.ResponseRaw) is { Type: ResponseType.Error } envelope)
            {
                return new ApiException(envelope.ErrorCode != 0 ? envelope.ErrorCode : (int)response.StatusCode, envelope.Error);
            }
        }
        catch (JsonException)
        {
        }

        return new ApiException((int)response.StatusCode, $"{(int)response.StatusCode} {response.ReasonPhrase}");
    }
}
