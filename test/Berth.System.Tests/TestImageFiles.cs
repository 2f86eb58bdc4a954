using System.Diagnostics;

namespace Berth.System.Tests;

/// <summary>Busybox images built for a test from the host's busybox-static, with Debian's tar and xz.</summary>
internal sealed class TestImageFiles : IDisposable
{
    public TestImageFiles(string description = "Busybox for tests")
    {
        SystemRequirements.Require(File.Exists("/bin/busybox"), "busybox-static is not installed");
        var stage = Path.Combine(Dir, "stage");
        Directory.CreateDirectory(Path.Combine(stage, "rootfs", "bin"));
        File.Copy("/bin/busybox", Path.Combine(stage, "rootfs", "bin", "busybox"));
        File.WriteAllText(Path.Combine(stage, "metadata.yaml"),
            $"architecture: x86_64\ncreation_date: {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\nproperties:\n  os: busybox\n  description: {description}\n");
        Tar("-C", stage, "-czf", Unified, "metadata.yaml", "rootfs");
        Tar("-C", stage, "-cJf", SplitMetadata, "metadata.yaml");
        Tar("-C", Path.Combine(stage, "rootfs"), "-cJf", SplitRootfs, ".");
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "berth-img-" + Guid.NewGuid().ToString("N")[..10]);

    public string Unified => Path.Combine(Dir, "busybox.tar.gz");

    public string SplitMetadata => Path.Combine(Dir, "meta.tar.xz");

    public string SplitRootfs => Path.Combine(Dir, "rootfs.tar.xz");

    public static string Sha256(params string[] files)
    {
        using var hash = global::System.Security.Cryptography.IncrementalHash.CreateHash(global::System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// A unified image above berthd's read-whole size (8 MiB): the busybox rootfs plus 10 MiB of random bytes, which
    /// gzip cannot shrink. Built once per instance.
    /// </summary>
    public string Large()
    {
        var path = Path.Combine(Dir, "large.tar.gz");
        if (!File.Exists(path))
        {
            var stage = Path.Combine(Dir, "stage");
            File.WriteAllBytes(Path.Combine(stage, "rootfs", "blob"), global::System.Security.Cryptography.RandomNumberGenerator.GetBytes(10 << 20));
            Tar("-C", stage, "-czf", path, "metadata.yaml", "rootfs");
            File.Delete(Path.Combine(stage, "rootfs", "blob"));
        }

        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    private static void Tar(params string[] args)
    {
        var start = new ProcessStartInfo("tar") { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
