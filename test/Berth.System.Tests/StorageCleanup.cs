namespace Berth.System.Tests;

/// <summary>Leaves nothing mounted by a test's berthd: pool mounts under its dir, then loop devices backed by files there.</summary>
internal static class StorageCleanup
{
    public static async Task UnmountUnderAsync(string dir)
    {
        var prefix = dir.TrimEnd('/') + "/";
        var mounts = File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 4 && f[4].StartsWith(prefix, StringComparison.Ordinal))
            .Select(f => f[4])
            .OrderByDescending(m => m.Length)
            .ToList();
        foreach (var mount in mounts)
        {
            await ProcessRunner.RunAsync("umount", [mount], timeout: TimeSpan.FromSeconds(30));
        }

        var loops = await ProcessRunner.RunAsync("losetup", ["--list", "--noheadings", "--output", "NAME,BACK-FILE"], timeout: TimeSpan.FromSeconds(10));
        foreach (var line in loops.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length == 2 && fields[1].StartsWith(prefix, StringComparison.Ordinal))
            {
                await ProcessRunner.RunAsync("losetup", ["-d", fields[0]], timeout: TimeSpan.FromSeconds(10));
            }
        }
    }
}
