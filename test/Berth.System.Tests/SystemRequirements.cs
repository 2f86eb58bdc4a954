namespace Berth.System.Tests;

/// <summary>
/// System tests need the published binaries and host tools. Locally they skip when something is missing;
/// under CI (CI=true) a missing requirement is a failure, never a silent skip.
/// </summary>
internal static class SystemRequirements
{
    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>Directory with berthd and berth: BERTH_BIN, else artifacts/publish of this checkout.</summary>
    public static string BinDir()
    {
        var dir = Environment.GetEnvironmentVariable("BERTH_BIN");
        if (string.IsNullOrEmpty(dir))
        {
            dir = Path.Combine(RepoRoot(), "artifacts", "publish");
        }

        Require(File.Exists(Path.Combine(dir, "berthd")), $"berthd not found in {dir} (run ./test.sh, or set BERTH_BIN)");
        return dir;
    }

    public static void RequireRoot() => Require(Environment.UserName == "root", "system tests run as root");

    public static string Tool(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
        Require(path is not null, $"{name} is not installed");
        return path!;
    }

    public static void Require(bool condition, string reason)
    {
        if (condition)
        {
            return;
        }

        if (InCi)
        {
            Assert.Fail("Missing requirement under CI: " + reason);
        }

        Assert.Skip(reason);
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Berth.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cannot find the repository root");
    }
}
