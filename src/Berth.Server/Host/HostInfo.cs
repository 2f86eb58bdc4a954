using System.Runtime.InteropServices;

namespace Berth.Server.Host;

/// <summary>Facts about the host that <c>GET /1.0</c> reports, read once at start.</summary>
public sealed record HostInfo
{
    public string Hostname { get; init; } = "";
    public string KernelVersion { get; init; } = "";
    public string KernelArchitecture { get; init; } = "";
    public IReadOnlyList<string> Architectures { get; init; } = [];
    public string OsName { get; init; } = "";
    public string OsVersion { get; init; } = "";
    public string Firewall { get; init; } = "";

    public static HostInfo Read(string procRoot = "/proc", string osReleasePath = "/etc/os-release")
    {
        var arch = KernelArch();
        var osRelease = ParseOsRelease(osReleasePath);
        return new HostInfo
        {
            Hostname = ReadTrimmed(Path.Combine(procRoot, "sys/kernel/hostname")) ?? Environment.MachineName,
            KernelVersion = ReadTrimmed(Path.Combine(procRoot, "sys/kernel/osrelease")) ?? Environment.OSVersion.Version.ToString(),
            KernelArchitecture = arch,
            // Personalities the kernel can run, in LXD's naming.
            Architectures = arch switch
            {
                "x86_64" => ["x86_64", "i686"],
                "aarch64" => ["aarch64", "armv7l"],
                _ => [arch],
            },
            OsName = osRelease.GetValueOrDefault("NAME", "Linux"),
            OsVersion = osRelease.GetValueOrDefault("VERSION_ID", ""),
            Firewall = ExistsOnPath("nft") ? "nftables" : "xtables",
        };
    }

    public static Dictionary<string, string> ParseOsRelease(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        foreach (var line in File.ReadLines(path))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"');
            }
        }

        return result;
    }

    private static string KernelArch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.Arm64 => "aarch64",
        Architecture.X86 => "i686",
        Architecture.Arm => "armv7l",
        Architecture.RiscV64 => "riscv64",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool ExistsOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, name)));
}
