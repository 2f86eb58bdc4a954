using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Berth.Native.Tests;

/// <summary>
/// These tests need root, liblxc, gcc + lxc-dev and busybox-static. Locally they skip when something is missing;
/// under CI (CI=true) a missing requirement is a failure, never a silent skip.
/// </summary>
internal static class NativeRequirements
{
    private static readonly Lazy<string?> BuildError = new(Build);

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    public static string HelperDir => Path.Combine(RepoRoot(), "native", "berth-fork");

    /// <summary>Builds native/berth-fork with make (incremental) and points BERTH_LIBEXEC at it.</summary>
    public static void RequireHelper()
    {
        Require(BuildError.Value is null, BuildError.Value ?? "");
    }

    public static void RequireContainers()
    {
        var missing = MissingForContainers();
        Require(missing is null, missing ?? "");
    }

    /// <summary>Why container tests cannot run here, or null.</summary>
    public static string? MissingForContainers()
    {
        if (Environment.UserName != "root")
        {
            return "container tests run as root";
        }

        if (!NativeLibrary.TryLoad("liblxc.so.1", out _))
        {
            return "liblxc is not installed (apt-get install lxc)";
        }

        return !File.Exists("/bin/busybox") ? "busybox-static is not installed" : BuildError.Value;
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

    private static string? Build()
    {
        var dir = HelperDir;
        try
        {
            using var make = Process.Start(new ProcessStartInfo("make", ["-s", "-C", dir])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var stderr = make.StandardError.ReadToEnd();
            make.StandardOutput.ReadToEnd();
            make.WaitForExit();
            if (make.ExitCode != 0)
            {
                return $"make -C {dir} failed (needs gcc, pkg-config and lxc-dev): {stderr}";
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run make: {e.Message}";
        }

        Environment.SetEnvironmentVariable(BerthLibexec.EnvironmentVariable, dir);
        return null;
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
