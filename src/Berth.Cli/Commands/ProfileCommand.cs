using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth profile</c>: one class per verb below.</summary>
internal sealed class ProfileCommand : Command
{
    public ProfileCommand(CliApp app) : base("profile", "Manage profiles")
    {
        Subcommands.Add(new ProfileListCommand(app));
        Subcommands.Add(new ProfileShowCommand(app));
        Subcommands.Add(new ProfileCreateCommand(app));
        Subcommands.Add(new ProfileCopyCommand(app));
        Subcommands.Add(new ProfileDeleteCommand(app));
        Subcommands.Add(new ProfileEditCommand(app));
        Subcommands.Add(new ProfileGetCommand(app));
        Subcommands.Add(new ProfileSetCommand(app));
        Subcommands.Add(new ProfileUnsetCommand(app));
        Subcommands.Add(new ProfileRenameCommand(app));
        Subcommands.Add(new DeviceCommand(app, DeviceOwnerKind.Profiles));
        Subcommands.Add(new ProfileAddRemoveCommand(app, remove: false));
        Subcommands.Add(new ProfileAddRemoveCommand(app, remove: true));
        Subcommands.Add(new ProfileAssignCommand(app));
    }

    internal static Argument<string> ProfileArgument(string name = "profile") => new(name) { Description = "[<remote>:]<profile>" };

    /// <summary>Parses <c>[remote:]profile</c>, which must name a profile.</summary>
    internal static (string Remote, string Name) Target(CliContext context, string raw)
    {
        var (remote, name) = context.ParseRemote(raw);
        if (name.Length == 0)
        {
            throw new CliException("Missing profile name");
        }

        return (remote, name);
    }

    /// <summary>GET, change, PUT with If-Match: the read-modify-write every profile setter does.</summary>
    internal static async Task UpdateAsync(CliContext context, string remote, string name, Action<Profile> change, CancellationToken cancellationToken)
    {
        var client = context.Client(remote);
        var (profile, etag) = await client.GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        change(profile);
        await client.UpdateProfileAsync(name, Writable(profile), etag, cancellationToken).ConfigureAwait(false);
    }

    internal static ProfilePut Writable(ProfilePut profile) => new()
    {
        Config = profile.Config ?? [],
        Description = profile.Description ?? "",
        Devices = profile.Devices ?? [],
    };
}

/// <summary><c>berth profile list [remote:]</c>: NAME, DESCRIPTION, USED BY.</summary>
internal sealed class ProfileListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ProfileListCommand(CliApp app) : base("list", "List profiles")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var profiles = await context.Client(context.ParseRemoteOnly(context.GetValue(_remote))).GetProfilesAsync(cancellationToken).ConfigureAwait(false);
        var rows = profiles.Select(p => new[] { p.Name, p.Description, p.UsedBy.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(
            FormatOption.Get(context), ["NAME", "DESCRIPTION", "USED BY"], rows, _ => Render.Element(profiles, ApiJsonContext.Wire.ListProfile))).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile show [remote:]profile</c>: the profile as YAML.</summary>
internal sealed class ProfileShowCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();

    public ProfileShowCommand(CliApp app) : base("show", "Show profile configurations")
    {
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var (profile, _) = await context.Client(remote).GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(Render.Yaml(profile, ApiJsonContext.Wire.Profile)).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile create [remote:]profile</c>; YAML on a non-terminal stdin seeds it.</summary>
internal sealed class ProfileCreateCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Option<string?> _description = new("--description") { Description = "Profile description" };

    public ProfileCreateCommand(CliApp app) : base("create", "Create profiles")
    {
        Arguments.Add(_profile);
        Options.Add(_description);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var seed = new ProfilePut();
        if (!context.Host.InputIsTerminal)
        {
            var yaml = await context.Host.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(yaml))
            {
                seed = ProfileCommand.Writable(Render.FromYaml(yaml, ApiJsonContext.Wire.ProfilePut));
            }
        }

        var post = new ProfilesPost
        {
            Name = name,
            Config = seed.Config,
            Description = context.GetValue(_description) ?? seed.Description,
            Devices = seed.Devices,
        };
        await context.Client(remote).CreateProfileAsync(post, cancellationToken).ConfigureAwait(false);
        context.Print($"Profile {name} created");
    }
}

/// <summary><c>berth profile copy [remote:]source [remote:]target</c>.</summary>
internal sealed class ProfileCopyCommand : Command
{
    private readonly Argument<string> _source = ProfileCommand.ProfileArgument("source");
    private readonly Argument<string> _target = ProfileCommand.ProfileArgument("target");
    private readonly Option<string?> _targetProject = new("--target-project") { Description = "Copy to a project different from the source" };
    private readonly Option<bool> _refresh = new("--refresh") { Description = "Update the target profile from the source if it already exists" };

    public ProfileCopyCommand(CliApp app) : base("copy", "Copy profiles")
    {
        Aliases.Add("cp");
        Arguments.Add(_source);
        Arguments.Add(_target);
        Options.Add(_targetProject);
        Options.Add(_refresh);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (sourceRemote, sourceName) = ProfileCommand.Target(context, context.GetValue(_source));
        var (targetRemote, targetName) = ProfileCommand.Target(context, context.GetValue(_target));
        var (profile, _) = await context.Client(sourceRemote).GetProfileAsync(sourceName, cancellationToken).ConfigureAwait(false);

        var target = context.Client(targetRemote);
        var targetProject = context.GetValue(_targetProject);
        var savedProject = target.Project;
        if (!string.IsNullOrEmpty(targetProject))
        {
            target.Project = targetProject;
        }

        try
        {
            if (context.GetValue(_refresh))
            {
                try
                {
                    var (_, etag) = await target.GetProfileAsync(targetName, cancellationToken).ConfigureAwait(false);
                    await target.UpdateProfileAsync(targetName, ProfileCommand.Writable(profile), etag, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (ApiException e) when (e.Status == 404)
                {
                }
            }

            await target.CreateProfileAsync(new ProfilesPost
            {
                Name = targetName,
                Config = profile.Config,
                Description = profile.Description,
                Devices = profile.Devices,
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            target.Project = savedProject;
        }
    }
}

/// <summary><c>berth profile delete [remote:]profile...</c>.</summary>
internal sealed class ProfileDeleteCommand : Command
{
    private readonly Argument<string[]> _profiles = new("profile") { Description = "[<remote>:]<profile>...", Arity = ArgumentArity.OneOrMore };

    public ProfileDeleteCommand(CliApp app) : base("delete", "Delete profiles")
    {
        Aliases.Add("rm");
        Arguments.Add(_profiles);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        foreach (var raw in context.GetValue(_profiles))
        {
            var (remote, name) = ProfileCommand.Target(context, raw);
            await context.Client(remote).DeleteProfileAsync(name, cancellationToken).ConfigureAwait(false);
            context.Print($"Profile {name} deleted");
        }
    }
}

/// <summary><c>berth profile edit [remote:]profile</c>: YAML in the editor or from stdin, PUT with If-Match.</summary>
internal sealed class ProfileEditCommand : Command
{
    private const string Header = """
        ### This is a profile of Berth, as YAML.
        ### Lines starting with '#' are ignored.
        ###
        ### A profile holds configuration keys and devices, for example:
        ### config:
        ###   limits.memory: 2GiB
        ### description: Two gigabytes and a bridged NIC
        ### devices:
        ###   eth0:
        ###     nictype: bridged
        ###     parent: lxdbr0
        ###     type: nic
        ###
        ### The name and used_by are shown but cannot be changed here.

        """;

    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();

    public ProfileEditCommand(CliApp app) : base("edit", "Edit profile configurations as YAML")
    {
        Arguments.Add(_profile);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var client = context.Client(remote);
        var (profile, etag) = await client.GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        await context.EditAsync(Header + Render.Yaml(profile, ApiJsonContext.Wire.Profile), async text =>
        {
            var put = ProfileCommand.Writable(Render.FromYaml(text, ApiJsonContext.Wire.ProfilePut));
            await client.UpdateProfileAsync(name, put, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}
