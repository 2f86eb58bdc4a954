namespace Berth.Server.Storage.Drivers;

internal sealed partial class BtrfsDriver
{
    public async Task CreateVolumeAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await StorageTools.RunAsync("btrfs", ["-q", "subvolume", "create", path], cancellationToken).ConfigureAwait(false);
    }

    public async Task SnapshotVolumeAsync(string source, string target, bool readOnly, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await StorageTools.RunAsync("btrfs", readOnly ? ["-q", "subvolume", "snapshot", "-r", source, target] : ["-q", "subvolume", "snapshot", source, target], cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteVolumeAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        await StorageTools.RunAsync("btrfs", ["-q", "subvolume", "delete", path], cancellationToken).ConfigureAwait(false);
    }

    public async Task SetQuotaAsync(string path, long? bytes, CancellationToken cancellationToken)
    {
        await StorageTools.RunAsync("btrfs", ["qgroup", "limit", bytes is { } b ? b.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none", path], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The subvolume's referenced bytes from its qgroup (quotas are enabled when the pool is made).</summary>
    public async Task<long?> UsageAsync(string path, CancellationToken cancellationToken)
    {
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
