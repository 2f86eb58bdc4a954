using Berth.Api;
using Berth.Native;

namespace Berth.Server.Storage.Drivers;

internal sealed partial class BtrfsDriver
{
    public async Task CreateVolumeAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await StorageTools.RunAsync("btrfs", ["-q", "subvolume", "create", path], cancellationToken).ConfigureAwait(false);
    }

    public Task SnapshotVolumeAsync(string source, string target, bool readOnly, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            // By ioctl rather than the tool: a copy of an instance with snapshots makes several in a row.
            BtrfsSubvolume.Snapshot(source, target, readOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ApiException(500, $"Failed to snapshot \"{source}\": {e.Message}");
        }

        return Task.CompletedTask;
    }

    public async Task DeleteVolumeAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        try
        {
            BtrfsSubvolume.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // Not a subvolume (a directory left by an interrupted fill) or an older kernel's refusal: the tool decides.
            await StorageTools.RunAsync("btrfs", ["-q", "subvolume", "delete", path], cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task SetQuotaAsync(string path, long? bytes, CancellationToken cancellationToken)
    {
        await StorageTools.RunAsync("btrfs", ["qgroup", "limit", bytes is { } b ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none", path], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The subvolume's referenced bytes from its qgroup (quotas are enabled when the pool is made).</summary>
    public async Task<long?> UsageAsync(string path, CancellationToken cancellationToken)
    {
        if (BtrfsSubvolume.ReferencedBytes(path) is { } referenced)
        {
            return referenced;
        }

        var (code, stdout, _) = await StorageTools.TryRunAsync("btrfs", ["qgroup", "show", "-f", "--raw", path], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            return null;
        }

        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var fields = last.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && long.TryParse(fields[1], out var used) ? used : null;
    }
}
