using System.CommandLine;
using System.Runtime.InteropServices;

namespace Berth.Daemon.Commands;

/// <summary><c>berthd [--logfile F] [--debug] [--verbose] [--group G]</c>: run the daemon until shutdown.</summary>
internal static class DaemonCommand
{
    // Not in PosixSignal; 30 on Linux x86-64 and arm64.
    private const PosixSignal SigPwr = (PosixSignal)30;

    public static void Configure(RootCommand root)
    {
        var logfile = new Option<string?>("--logfile") { Description = "Path to the log file" };
        var debug = new Option<bool>("--debug", "-d") { Description = "Show all debug messages" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show all information messages" };
        var group = new Option<string?>("--group") { Description = "The group of users that will be allowed to talk to berthd" };
        var syslog = new Option<bool>("--syslog") { Description = "Log to syslog (accepted for lxd compatibility; logs go to --logfile or stderr)" };
        root.Options.Add(logfile);
        root.Options.Add(debug);
        root.Options.Add(verbose);
        root.Options.Add(group);
        root.Options.Add(syslog);
        root.SetAction(async (parse, cancellationToken) =>
        {
            var options = new DaemonOptions
            {
                LogFile = parse.GetValue(logfile),
                Debug = parse.GetValue(debug),
                Verbose = parse.GetValue(verbose),
                Group = parse.GetValue(group),
            };
            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
    }

    private static async Task<int> RunAsync(DaemonOptions options, CancellationToken cancellationToken)
    {
        BerthDaemon daemon;
        try
        {
            daemon = await BerthDaemon.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("Error: " + e.Message).ConfigureAwait(false);
            return 1;
        }

        await using (daemon.ConfigureAwait(false))
        {
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                daemon.Context.Shutdown.Cancel();
            });
            // SIGPWR: the host is going down (LXD's meaning): stop the instances first.
            using var power = PosixSignalRegistration.Create(SigPwr, ctx =>
            {
                ctx.Cancel = true;
                daemon.Context.StopInstancesOnShutdown = true;
                daemon.Context.Shutdown.Cancel();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
            {
                ctx.Cancel = true;
                daemon.Context.Shutdown.Cancel();
            });
            await daemon.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
