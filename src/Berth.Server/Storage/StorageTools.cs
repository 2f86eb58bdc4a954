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
    public static IReadOnlyList<string> MountPoints() => [.. Mounts().Select(m => m.Point)];

    /// <summary>/proc/self/mountinfo as (mount point, mount source) pairs, unescaped, in mount order.</summary>
    public static IReadOnlyList<(string Point, string Source)> Mounts()
    {
        var result = new List<(string, string)>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // Fields: id parent major:minor root point options [optional...] - fstype source superoptions.
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length > 4)
            {
                result.Add((Unescape(fields[4]), separator > 0 && separator + 2 < fields.Length ? Unescape(fields[separator + 2]) : ""));
            }
        }

        return result;
    }

    public static bool IsMounted(string path) => MountPoints().Contains(path.TrimEnd('/'), StringComparer.Ordinal);

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
