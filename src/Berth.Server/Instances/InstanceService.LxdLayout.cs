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

    /// <summary>
    /// LXD's <c>containers/&lt;name&gt;/rootfs</c> from the moment an instance exists (not only once it has started):
    /// berthd's liblxc dir with the link to the volume's rootfs, where tools and LXD's test suite look. A link left
    /// pointing elsewhere (the volume moved to another pool) is replaced.
    /// </summary>
    private void EnsureRootfsLink(string name, string rootfs)
    {
        Directory.CreateDirectory(_paths.LxcDir(name));
        var link = new FileInfo(Path.Combine(_paths.LxcDir(name), "rootfs"));
        if (link.LinkTarget == rootfs)
        {
            return;
        }

        if (link.LinkTarget is not null)
        {
            link.Delete();
        }
        else if (link.Exists || Directory.Exists(link.FullName))
        {
            return;
        }

        File.CreateSymbolicLink(link.FullName, rootfs);
    }
}
