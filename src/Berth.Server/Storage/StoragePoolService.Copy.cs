namespace Berth.Server.Storage;

public sealed partial class StoragePoolService
{
    /// <summary>
    /// A copy of a volume, possibly onto another pool: a CoW snapshot when both ends are the same pool (instant on
    /// btrfs), else a new volume on the target filled with <c>cp -a</c> (reflinked where the filesystem can).
    /// </summary>
    public async Task CopyVolumeAsync(string sourcePool, string source, string targetPool, string target, bool readOnly, CancellationToken cancellationToken)
    {
        var driver = DriverOf(targetPool);
        if (sourcePool == targetPool)
        {
            await driver.SnapshotVolumeAsync(source, target, readOnly, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A read-only btrfs target is filled writable first, then frozen by a read-only snapshot of it.
        var fill = readOnly && driver.Info.CowSnapshots ? target + ".filling" : target;
        await driver.CreateVolumeAsync(fill, cancellationToken).ConfigureAwait(false);
        try
        {
            await StorageTools.RunAsync("cp", ["-a", "--reflink=auto", "--no-target-directory", source, fill], cancellationToken).ConfigureAwait(false);
            if (fill != target)
            {
                await driver.SnapshotVolumeAsync(fill, target, readOnly: true, cancellationToken).ConfigureAwait(false);
                await driver.DeleteVolumeAsync(fill, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await driver.DeleteVolumeAsync(fill, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
