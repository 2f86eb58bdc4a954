using Berth.Server.Backups;

namespace Berth.Server.Storage;

/// <summary>
/// A custom volume backup is kept as its finished tarball, made while the backup operation runs (as LXD does), so
/// the export can announce its length and lxc shows "Exporting the backup: N% (speed)" as it downloads. Backups kept
/// by an older berthd as volume copies are still tarred while they are exported.
/// </summary>
public sealed partial class StorageVolumeService
{
    /// <summary>The kept tarball's length, or null when the backup is kept as volume copies (no length known ahead).</summary>
    public long? BackupLength(string pool, string project, string name, string backup)
    {
        var path = TarballPath(pool, project, name, backup);
        return File.Exists(path) ? new FileInfo(path).Length : null;
    }

    private string TarballPath(string pool, string project, string name, string backup) => Path.Combine(BackupDir(pool, project, name, backup), "backup.tarball");

    /// <summary>Tars the copies just made into the tarball, then lets the copies go: the backup is written once.</summary>
    private async Task KeepTarballAsync(string pool, string project, string name, string backup, string compression, CancellationToken cancellationToken)
    {
        var dir = BackupDir(pool, project, name, backup);
        var temp = Path.Combine(BackupsDir(pool, project, name), "." + backup + ".tarball");
        try
        {
            await using (var file = File.Create(temp))
            {
                await WriteTarballAsync(dir, compression, file, cancellationToken).ConfigureAwait(false);
            }

            await BackupArchive.DeleteAsync(_pools.DriverOf(pool), dir, "volume", "volume-snapshots").ConfigureAwait(false);
            Directory.CreateDirectory(dir);
            File.Move(temp, TarballPath(pool, project, name, backup));
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
