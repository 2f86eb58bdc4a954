using System.Net.Http.Headers;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>Makes a backup of a custom volume and waits for it; returns its name (reported as a <c>backups</c> resource).</summary>
    public async Task<string> CreateStorageVolumeBackupAsync(string pool, string volume, StorageVolumeBackupsPost request, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, VolumeBackupsPath(pool, volume), request, ApiJsonContext.Wire.StorageVolumeBackupsPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Resources?.GetValueOrDefault("backups")?.FirstOrDefault() is { } url
            ? LastPathSegment(url)
            : throw new ApiException(500, "The server did not report the backup's name");
    }

    public async Task<List<StorageVolumeBackup>> GetStorageVolumeBackupsAsync(string pool, string volume, CancellationToken cancellationToken = default) =>
        (await GetAsync(VolumeBackupsPath(pool, volume) + "?recursion=1", ApiJsonContext.Wire.ListStorageVolumeBackup, cancellationToken).ConfigureAwait(false)).Value;

    public async Task DeleteStorageVolumeBackupAsync(string pool, string volume, string backup, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(HttpMethod.Delete, $"{VolumeBackupsPath(pool, volume)}/{Escape(backup)}", cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams the backup tarball into <paramref name="destination"/> as it arrives; returns the bytes written.</summary>
    public Task<long> ExportStorageVolumeBackupAsync(string pool, string volume, string backup, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return DownloadAsync($"{VolumeBackupsPath(pool, volume)}/{Escape(backup)}/export", destination, cancellationToken);
    }

    /// <summary>Makes a custom volume from a backup tarball streamed from <paramref name="file"/> (lxc storage volume import); returns its name.</summary>
    public async Task<string> ImportStorageVolumeBackupAsync(string pool, Stream file, string? name = null, CancellationToken cancellationToken = default)
    {
        using var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (!string.IsNullOrEmpty(name))
        {
            content.Headers.Add("X-LXD-name", name);
        }

        var (response, _) = await RawAsync(HttpMethod.Post, $"/1.0/storage-pools/{Escape(pool)}/volumes/custom", content, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Resources?.GetValueOrDefault("storage_volumes")?.FirstOrDefault() is { } url ? LastPathSegment(url) : name ?? "";
    }

    private static string VolumeBackupsPath(string pool, string volume) => $"/1.0/storage-pools/{Escape(pool)}/volumes/custom/{Escape(volume)}/backups";
}
