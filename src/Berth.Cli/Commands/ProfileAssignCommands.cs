using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth profile add|remove [remote:]instance profile</c>: one profile appended to an instance's list (so it
/// applies after the others) or taken out of it, changed with If-Match.
/// </summary>
internal sealed class ProfileAddRemoveCommand : Command
{
    private readonly bool _remove;
    private readonly Argument<string> _instance = new("instance") { Description = "[<remote>:]<instance>" };
    private readonly Argument<string> _profile = new("profile") { Description = "Profile name" };

    public ProfileAddRemoveCommand(CliApp app, bool remove)
        : base(remove ? "remove" : "add", remove ? "Remove profiles from instances" : "Add profiles to instances")
    {
        _remove = remove;
        Arguments.Add(_instance);
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = InstanceConfig.Target(context, context.GetValue(_instance));
        var profile = context.GetValue(_profile);
        await InstanceConfig.UpdateAsync(context, remote, name, put =>
        {
            if (!_remove)
            {
                put.Profiles.Add(profile);
            }
            else if (put.Profiles.RemoveAll(p => p == profile) == 0)
            {
                throw new CliException($"Profile {profile} isn't currently applied to {name}");
            }
        }, cancellationToken).ConfigureAwait(false);
        context.Print(_remove ? $"Profile {profile} removed from {name}" : $"Profile {profile} added to {name}");
    }
}

/// <summary><c>berth profile assign [remote:]instance p1,p2,...</c>: replaces the list (empty: no profiles).</summary>
internal sealed class ProfileAssignCommand : Command
{
    private readonly Argument<string> _instance = new("instance") { Description = "[<remote>:]<instance>" };
    private readonly Argument<string> _profiles = new("profiles") { Description = "Comma-separated profile names" };

    public ProfileAssignCommand(CliApp app) : base("assign", "Assign sets of profiles to instances")
    {
        Aliases.Add("apply");
        Arguments.Add(_instance);
        Arguments.Add(_profiles);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = InstanceConfig.Target(context, context.GetValue(_instance));
        var raw = context.GetValue(_profiles);
        List<string> wanted = raw.Length == 0 ? [] : [.. raw.Split(',')];
        await InstanceConfig.UpdateAsync(context, remote, name, put => put.Profiles = wanted, cancellationToken).ConfigureAwait(false);
        context.Print($"Profiles {(wanted.Count == 0 ? "(none)" : raw)} applied to {name}");
    }
}
