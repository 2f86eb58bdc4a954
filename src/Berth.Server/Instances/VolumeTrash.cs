namespace Berth.Server.Instances;

/// <summary>
/// Deleting an instance's volume on a pool without CoW (dir) is one rename into the pool's <c>.trash</c>; its files
/// are removed in the background. Unlinking a rootfs file by file was most of <c>lxc delete</c>'s time (ext4 on this
/// host), and nothing needs the blocks back before the call returns. Leftovers of a crash go with the next delete.
/// </summary>
internal static class VolumeTrash
{
    private static readonly Lock Gate = new();

    /// <summary>Moves <paramref name="volume"/> out of the way; false when it cannot be renamed (delete it in place).</summary>
    public static bool TryDelete(string volume, string poolPath)
    {
        var trash = Path.Combine(poolPath, ".trash");
        try
        {
            lock (Gate)
            {
                Directory.CreateDirectory(trash);
                Directory.Move(volume, Path.Combine(trash, Guid.NewGuid().ToString("N")));
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        _ = Task.Run(() => Empty(trash));
        return true;
    }

    /// <summary>Empties the pool's trash now (a pool about to be deleted), waiting a little for a background pass.</summary>
    public static void Drain(string poolPath)
    {
        var trash = Path.Combine(poolPath, ".trash");
        for (var attempt = 0; attempt < 100 && Directory.Exists(trash); attempt++)
        {
            Empty(trash);
            if (Directory.Exists(trash))
            {
                Thread.Sleep(20);
            }
        }
    }

    private static void Empty(string trash)
    {
        try
        {
            foreach (var entry in Directory.GetDirectories(trash))
            {
                try
                {
                    Directory.Delete(entry, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another delete's background pass took it, or it cannot go: the next pass tries again.
                }
            }

            lock (Gate)
            {
                if (!Directory.EnumerateFileSystemEntries(trash).Any())
                {
                    Directory.Delete(trash);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The pool went meanwhile, or a new entry arrived: nothing to do here.
        }
    }
}
