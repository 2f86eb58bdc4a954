namespace Berth.Server.Instances;

public sealed partial class InstanceService
{
    /// <summary>
    /// Keeps LXD's <c>snapshots/&lt;name&gt;</c> link in step with the pool: present (pointing at the pool's snapshot
    /// dir of the instance) while that dir holds snapshots, gone otherwise, as LXD makes and removes it on snapshot
    /// create/delete, rename and delete. Tools and LXD's own test suite look for snapshots there.
    /// </summary>
    private void SyncSnapshotsLink(string project, string name, string pool)
    {
        var link = _paths.SnapshotsLink(project, name);
        var target = _paths.SnapshotsDir(name, pool);
        var wanted = Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any();
        var current = new FileInfo(link);
        if (current.LinkTarget is { } existing)
        {
            if (wanted && existing == target)
            {
                return;
            }

            current.Delete();
        }
        else if (current.Exists || Directory.Exists(link))
        {
            return; // Not a link of ours: leave it alone.
        }

        if (wanted)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, target);
        }
    }
}
