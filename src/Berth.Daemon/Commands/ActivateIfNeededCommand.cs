using System.CommandLine;
using System.Diagnostics;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Daemon.Commands;

/// <summary>
/// <c>berthd activateifneeded</c>: start the daemon only when something needs it (an HTTPS listener is configured),
/// printing LXD's messages so scripts that grep them keep working.
/// </summary>
internal static class ActivateIfNeededCommand
{
    public static Command Create()
    {
        var debug = new Option<bool>("--debug", "-d") { Description = "Show all debug messages" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show all information messages" };
        var command = new Command("activateifneeded", "Check if the daemon should be started (in the background) and start it") { debug, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new DaemonOptions();
            if (await LocalDaemon.IsListeningAsync(cancellationToken).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync("Daemon is already running").ConfigureAwait(false);
                return 0;
            }

            if (!File.Exists(options.DatabasePath))
            {
                await Console.Error.WriteLineAsync("No DB, so no need to start the daemon now").ConfigureAwait(false);
                return 0;
            }

            Dictionary<string, string> config;
            await using (var store = SqliteStateStore.Open(options.DatabasePath))
            {
                config = store.Snapshot().GetJson("server/config", ApiJsonContext.Wire.DictionaryStringString) ?? [];
            }

            if (!config.TryGetValue("core.https_address", out var address) || address.Length == 0)
            {
                await Console.Error.WriteLineAsync("No need to start the daemon now").ConfigureAwait(false);
                return 0;
            }

            await Console.Error.WriteLineAsync("Daemon has core.https_address set, activating...").ConfigureAwait(false);
            return StartDetached(options) ? 0 : await LocalDaemon.FailAsync("Failed to start berthd").ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Starts berthd in its own session, logging to its data dir, as a service manager would.</summary>
    private static bool StartDetached(DaemonOptions options)
    {
        var self = Environment.ProcessPath;
        if (self is null)
        {
            return false;
        }

        // Through sh so the daemon gets /dev/null for its standard streams and never holds our caller's pipes.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid \"$0\" --logfile \"$1\" </dev/null >/dev/null 2>&1 &");
        start.ArgumentList.Add(self);
        start.ArgumentList.Add(Path.Combine(options.Dir, "berthd.log"));
        using var process = Process.Start(start);
        if (process is null)
        {
            return false;
        }

        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
