using System.Diagnostics;
using Berth.Api;

namespace Berth.Server.Storage;

/// <summary>Runs storage tools (btrfs, mkfs.btrfs, mount, cp) and returns their output; a failure is an error with stderr.</summary>
internal static class StorageTools
{
    public static async Task<string> RunAsync(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var (code, stdout, stderr) = await TryRunAsync(tool, args, cancellationToken).ConfigureAwait(false);
        return code == 0 ? stdout : throw new ApiException(500, $"{tool} failed: {stderr.Trim()}");
    }

    public static async Task<(int Code, string Stdout, string Stderr)> TryRunAsync(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ApiException(500, $"Failed to run {tool}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ApiException(500, $"Failed to run {tool}: {e.Message}");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    /// <summary>Whether a tool is on PATH (mkfs.btrfs decides what <c>init --auto</c> offers).</summary>
    public static bool Exists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    /// <summary>The mount point entries of /proc/self/mountinfo (field 5), unescaped.</summary>
    public static IReadOnlyList<string> MountPoints()
    {
        var result = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                result.Add(fields[4].Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal));
            }
        }

        return result;
    }

    public static bool IsMounted(string path) => MountPoints().Contains(path.TrimEnd('/'), StringComparer.Ordinal);
}
