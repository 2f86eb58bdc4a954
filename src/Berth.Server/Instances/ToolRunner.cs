using System.Diagnostics;
using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>Runs a host tool (tar, cp, unsquashfs) to completion; a failure is an error with its stderr.</summary>
internal static class ToolRunner
{
    public static async Task RunAsync(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        using var process = Start(tool, args, redirectInput: false);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new ApiException(500, $"{tool} failed: {(await stderr.ConfigureAwait(false)).Trim()}");
        }
    }

    /// <summary>Starts a host tool with stdout and stderr (and stdin, when asked) as pipes, for streaming callers.</summary>
    public static Process Start(string tool, IEnumerable<string> args, bool redirectInput)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = redirectInput, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new ApiException(500, $"Failed to run {tool}");
    }
}
