using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>Makes a backup and waits for it; returns its name (LXD reports it as a <c>backups</c> resource).</summary>
    public async Task<string> CreateInstanceBackupAsync(string name, InstanceBackupsPost request, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(name)}/backups", request, ApiJsonContext.Wire.InstanceBackupsPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Resources?.GetValueOrDefault("backups")?.FirstOrDefault() is { } url
            ? LastPathSegment(url)
            : throw new ApiException(500, "The server did not report the backup's name");
    }

    public async Task DeleteInstanceBackupAsync(string name, string backup, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(HttpMethod.Delete, $"/1.0/instances/{Escape(name)}/backups/{Escape(backup)}", cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams the backup tarball into <paramref name="destination"/> as it arrives; returns the bytes written.</summary>
    public async Task<long> ExportInstanceBackupAsync(string name, string backup, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return await DownloadAsync($"/1.0/instances/{Escape(name)}/backups/{Escape(backup)}/export", destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A GET whose body is streamed into <paramref name="destination"/>; an error envelope becomes an <see cref="ApiException"/>.</summary>
    private async Task<long> DownloadAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WithProject(path));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var envelope = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, ApiJsonContext.Wire.ResponseRaw);
            throw new ApiException((int)response.StatusCode, envelope?.Error ?? response.ReasonPhrase ?? "Export failed");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[1 << 20];
        long total = 0;
        for (int n; (n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0;)
        {
            await destination.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            total += n;
        }

        return total;
    }

    /// <summary>Makes an instance from a backup tarball streamed from <paramref name="file"/> (lxc import); returns its name.</summary>
    public async Task<string> ImportInstanceBackupAsync(Stream file, string? name = null, string? pool = null, CancellationToken cancellationToken = default)
    {
        using var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (!string.IsNullOrEmpty(name))
        {
            content.Headers.Add("X-LXD-name", name);
        }

        if (!string.IsNullOrEmpty(pool))
        {
            content.Headers.Add("X-LXD-pool", pool);
        }

        var (response, _) = await RawAsync(HttpMethod.Post, "/1.0/instances", content, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Resources?.GetValueOrDefault("instances")?.FirstOrDefault() is { } url ? LastPathSegment(url) : name ?? "";
    }
}
