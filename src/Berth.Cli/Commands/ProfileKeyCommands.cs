using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary><c>berth profile get [remote:]profile key</c>: the value, or an empty line when unset.</summary>
internal sealed class ProfileGetCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _key = new("key") { Description = "Configuration key" };
    private readonly Option<bool> _property = new("--property", "-p") { Description = "Get the key as a profile property" };

    public ProfileGetCommand(CliApp app) : base("get", "Get values for profile configuration keys")
    {
        Arguments.Add(_profile);
        Arguments.Add(_key);
        Options.Add(_property);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var key = context.GetValue(_key);
        var (profile, _) = await context.Client(remote).GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        var value = context.GetValue(_property)
            ? key switch
            {
                "description" => profile.Description,
                "name" => profile.Name,
                _ => throw new CliException($"The property \"{key}\" does not exist on the profile \"{name}\""),
            }
            : profile.Config.GetValueOrDefault(key, "");
        await context.Out.WriteLineAsync(value).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile set [remote:]profile key=value...</c> (or <c>key value</c>).</summary>
internal sealed class ProfileSetCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "<key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _property = new("--property", "-p") { Description = "Set the key as a profile property" };

    public ProfileSetCommand(CliApp app) : base("set", "Set profile configuration keys")
    {
        Arguments.Add(_profile);
        Arguments.Add(_pairs);
        Options.Add(_property);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var pairs = KeyValues.Parse(context.GetValue(_pairs));
        var property = context.GetValue(_property);
        await ProfileCommand.UpdateAsync(context, remote, name, profile =>
        {
            foreach (var (key, value) in pairs)
            {
                if (property)
                {
                    profile.Description = key == "description"
                        ? value
                        : throw new CliException($"The property \"{key}\" does not exist on the profile \"{name}\"");
                }
                else if (value.Length == 0)
                {
                    profile.Config.Remove(key);
                }
                else
                {
                    profile.Config[key] = value;
                }
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile unset [remote:]profile key</c>.</summary>
internal sealed class ProfileUnsetCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _key = new("key") { Description = "Configuration key" };
    private readonly Option<bool> _property = new("--property", "-p") { Description = "Unset the key as a profile property" };

    public ProfileUnsetCommand(CliApp app) : base("unset", "Unset profile configuration keys")
    {
        Arguments.Add(_profile);
        Arguments.Add(_key);
        Options.Add(_property);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var key = context.GetValue(_key);
        var property = context.GetValue(_property);
        await ProfileCommand.UpdateAsync(context, remote, name, profile =>
        {
            if (property)
            {
                profile.Description = key == "description"
                    ? ""
                    : throw new CliException($"The property \"{key}\" does not exist on the profile \"{name}\"");
            }
            else
            {
                profile.Config.Remove(key);
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth profile rename [remote:]profile new-name</c>.</summary>
internal sealed class ProfileRenameCommand : Command
{
    private readonly Argument<string> _profile = ProfileCommand.ProfileArgument();
    private readonly Argument<string> _newName = new("new-name") { Description = "[<remote>:]<new-name>" };

    public ProfileRenameCommand(CliApp app) : base("rename", "Rename profiles")
    {
        Aliases.Add("mv");
        Arguments.Add(_profile);
        Arguments.Add(_newName);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = ProfileCommand.Target(context, context.GetValue(_profile));
        var (newRemote, newName) = ProfileCommand.Target(context, context.GetValue(_newName));
        if (newRemote != remote && context.GetValue(_newName).Contains(':', StringComparison.Ordinal))
        {
            throw new CliException("Cannot rename a profile across remotes");
        }

        await context.Client(remote).RenameProfileAsync(name, newName, cancellationToken).ConfigureAwait(false);
        context.Print($"Profile {name} renamed to {newName}");
    }
}
