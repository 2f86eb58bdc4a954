using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth rename [remote:]instance[/snapshot] [remote:]new-name</c>: a rename on one server, as lxc's (which
/// hands it to move); the target's remote defaults to the source's.
/// </summary>
internal sealed class RenameCommand : Command
{
    private readonly Argument<string> _source = new("instance") { Description = "[<remote>:]<instance>[/<snapshot>]" };
    private readonly Argument<string> _target = new("new-name") { Description = "[<remote>:]<instance>[/<snapshot>]" };

    public RenameCommand(CliApp app) : base("rename", "Rename instances and snapshots")
    {
        Arguments.Add(_source);
        Arguments.Add(_target);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, source) = InstanceConfig.Target(context, context.GetValue(_source));
        var rawTarget = context.GetValue(_target);
        var (targetRemote, target) = context.ParseRemote(rawTarget);
        if (targetRemote != remote && rawTarget.Contains(':', StringComparison.Ordinal))
        {
            throw new CliException("Can't specify a different remote for rename");
        }

        var client = context.Client(remote);
        var (instance, snapshot) = InstanceConfig.SplitSnapshot(source);
        if (snapshot is null)
        {
            await client.RenameInstanceAsync(instance, target, cancellationToken).ConfigureAwait(false);
            return;
        }

        // c/s1 → c/s2: a snapshot keeps its instance.
        var (targetInstance, targetSnapshot) = InstanceConfig.SplitSnapshot(target);
        if (targetSnapshot is null || targetInstance != instance)
        {
            throw new CliException("Invalid new snapshot name, parent must be the same as source");
        }

        await client.RenameInstanceSnapshotAsync(instance, snapshot, targetSnapshot, cancellationToken).ConfigureAwait(false);
    }
}
