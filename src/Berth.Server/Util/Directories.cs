namespace Berth.Server.Util;

/// <summary>Small directory chores shared by the storage and instance code.</summary>
internal static class Directories
{
    /// <summary>Removes <paramref name="dir"/> when it exists and holds nothing (a per-instance or per-volume parent).</summary>
    public static void DeleteIfEmpty(string dir)
    {
        if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
        }
    }
}
