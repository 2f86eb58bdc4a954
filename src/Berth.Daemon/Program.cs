using System.CommandLine;
using Berth.Daemon.Commands;

namespace Berth.Daemon;

/// <summary>berthd's command line mirrors <c>lxd</c>'s, so berthd can stand in for it.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        // Before anything is started: helpers must not inherit (and outlive berthd holding) its caller's descriptors.
        Native.InheritedFds.MarkCloseOnExec();
        var root = new RootCommand("berthd - the Berth system container daemon (speaks LXD's REST API)");
        DaemonCommand.Configure(root);

        // lxd accepts stray arguments (LXD's test suite starts it as `lxd --logfile F ""`).
        root.TreatUnmatchedTokensAsErrors = false;
        root.Subcommands.Add(WaitReadyCommand.Create());
        root.Subcommands.Add(ShutdownCommand.Create());
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(ActivateIfNeededCommand.Create());
        root.Subcommands.Add(VersionCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}
