using System.Diagnostics;
using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>Runs a host tool (tar, cp, unsquashfs) to completion; a failure is an error with its stderr.</summary>
internal static class ToolRunner
{
    public static async Task RunAsync(string tool, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new ApiException(500, $"Failed to run {tool}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new ApiException(500, $"{tool} failed: {(await stderr.ConfigureAwait(false)).Trim()}");
        }
    }
}
