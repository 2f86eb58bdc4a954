using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth snapshot [remote:]instance [name]</c>: without a name the server picks snap%d.</summary>
internal sealed class SnapshotCommand : Command
{
    private readonly Argument<string> _instance = new("instance") { Description = "[<remote>:]<instance>" };
    private readonly Argument<string?> _name = new("snapshot") { Description = "Snapshot name", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _stateful = new("--stateful") { Description = "Whether or not to snapshot the instance's running state" };

    public SnapshotCommand(CliApp app) : base("snapshot", "Create instance snapshots")
    {
        Arguments.Add(_instance);
        Arguments.Add(_name);
        Options.Add(_stateful);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(context.GetValue(_instance));
        var request = new InstanceSnapshotsPost { Name = context.GetValue(_name) ?? "", Stateful = context.GetValue(_stateful) };
        await context.Client(remote).CreateInstanceSnapshotAsync(name, request, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth restore [remote:]instance snapshot</c>.</summary>
internal sealed class RestoreCommand : Command
{
    private readonly Argument<string> _instance = new("instance") { Description = "[<remote>:]<instance>" };
    private readonly Argument<string> _snapshot = new("snapshot") { Description = "Snapshot name" };

    public RestoreCommand(CliApp app) : base("restore", "Restore instances from snapshots")
    {
        Arguments.Add(_instance);
        Arguments.Add(_snapshot);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(context.GetValue(_instance));
        await context.Client(remote).RestoreInstanceSnapshotAsync(name, context.GetValue(_snapshot), cancellationToken).ConfigureAwait(false);
    }
}
