using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth profile add|remove|assign</c>: which profiles an instance uses, changed with If-Match.</summary>
internal static class ProfileAssign
{
    public static async Task UpdateAsync(CliContext context, string raw, Action<string, List<string>> change, CancellationToken cancellationToken)
    {
        var (remote, name) = InstanceConfig.Target(context, raw);
        var client = context.Client(remote);
        var (instance, etag) = await client.GetInstanceAsync(name, cancellationToken).ConfigureAwait(false);
        var put = InstanceConfig.Writable(instance);
        change(name, put.Profiles);
        await client.UpdateInstanceAsync(name, put, etag, cancellationToken).ConfigureAwait(false);
    }

    public static Argument<string> InstanceArgument() => new("instance") { Description = "[<remote>:]<instance>" };
}

/// <summary><c>berth profile add [remote:]instance profile</c>: appended, so it applies after the others.</summary>
internal sealed class ProfileAddCommand : Command
{
    private readonly Argument<string> _instance = ProfileAssign.InstanceArgument();
    private readonly Argument<string> _profile = new("profile") { Description = "Profile name" };

    public ProfileAddCommand(CliApp app) : base("add", "Add profiles to instances")
    {
        Arguments.Add(_instance);
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var profile = context.GetValue(_profile);
        var name = "";
        await ProfileAssign.UpdateAsync(context, context.GetValue(_instance), (instance, profiles) =>
        {
            name = instance;
            profiles.Add(profile);
        }, cancellationToken).ConfigureAwait(false);
        ProfileCommand.Print(context, $"Profile {profile} added to {name}");
    }
}

/// <summary><c>berth profile remove [remote:]instance profile</c>.</summary>
internal sealed class ProfileRemoveCommand : Command
{
    private readonly Argument<string> _instance = ProfileAssign.InstanceArgument();
    private readonly Argument<string> _profile = new("profile") { Description = "Profile name" };

    public ProfileRemoveCommand(CliApp app) : base("remove", "Remove profiles from instances")
    {
        Arguments.Add(_instance);
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var profile = context.GetValue(_profile);
        var name = "";
        await ProfileAssign.UpdateAsync(context, context.GetValue(_instance), (instance, profiles) =>
        {
            name = instance;
            if (profiles.RemoveAll(p => p == profile) == 0)
            {
                throw new CliException($"Profile {profile} isn't currently applied to {instance}");
            }
        }, cancellationToken).ConfigureAwait(false);
        ProfileCommand.Print(context, $"Profile {profile} removed from {name}");
    }
}

/// <summary><c>berth profile assign [remote:]instance p1,p2,...</c>: replaces the list (empty: no profiles).</summary>
internal sealed class ProfileAssignCommand : Command
{
    private readonly Argument<string> _instance = ProfileAssign.InstanceArgument();
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
        var raw = context.GetValue(_profiles);
        var wanted = raw.Length == 0 ? [] : raw.Split(',').ToList();
        var name = "";
        await ProfileAssign.UpdateAsync(context, context.GetValue(_instance), (instance, profiles) =>
        {
            name = instance;
            profiles.Clear();
            profiles.AddRange(wanted);
        }, cancellationToken).ConfigureAwait(false);
        ProfileCommand.Print(context, $"Profiles {(wanted.Count == 0 ? "(none)" : raw)} applied to {name}");
    }
}
