using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Config;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth remote</c>: the remotes of config.yml (<c>unix://</c> and <c>https://</c> LXD-protocol servers).</summary>
internal sealed class RemoteCommand : Command
{
    public RemoteCommand(CliApp app) : base("remote", "Manage the list of remote servers")
    {
        Subcommands.Add(new RemoteAddCommand(app));
        Subcommands.Add(new RemoteListCommand(app));
        Subcommands.Add(new RemoteRemoveCommand(app));
        Subcommands.Add(new RemoteRenameCommand(app));
        Subcommands.Add(new RemoteGetDefaultCommand(app));
        Subcommands.Add(new RemoteSwitchCommand(app));
        Subcommands.Add(new RemoteSetUrlCommand(app));
    }

    /// <summary>The remote <paramref name="name"/> of the configuration, which may be changed (not static).</summary>
    internal static RemoteEntry Modifiable(CliContext context, string name)
    {
        if (!context.Config.Remotes.TryGetValue(name, out var entry))
        {
            throw new CliException($"Remote {name} doesn't exist");
        }

        if (CliConfig.IsStatic(name))
        {
            throw new CliException($"Remote {name} is static and cannot be modified");
        }

        return entry;
    }
}

/// <summary><c>berth remote list</c>: NAME, URL, PROTOCOL, AUTH TYPE, PUBLIC, STATIC, GLOBAL.</summary>
internal sealed class RemoteListCommand : Command
{
    public RemoteListCommand(CliApp app) : base("list", "List the available remotes")
    {
        Aliases.Add("ls");
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var rows = new List<string[]>();
        var raw = new JsonObject();
        foreach (var (name, remote) in config.Remotes)
        {
            var unix = remote.Addr.StartsWith("unix:", StringComparison.Ordinal);
            var protocol = remote.Protocol.Length > 0 ? remote.Protocol : "lxd";
            var authType = unix ? "file access" : (remote.AuthType.Length > 0 ? remote.AuthType : (remote.Public ? "none" : "tls"));
            rows.Add(
            [
                name == config.DefaultRemote ? name + " (current)" : name,
                remote.Addr,
                protocol,
                authType,
                remote.Public ? "YES" : "NO",
                CliConfig.IsStatic(name) ? "YES" : "NO",
                "NO",
            ]);
            raw[name] = new JsonObject
            {
                ["Addr"] = remote.Addr,
                ["AuthType"] = authType,
                ["Project"] = remote.Project,
                ["Protocol"] = protocol,
                ["Public"] = remote.Public,
            };
        }

        return context.Out.WriteAsync(TableFormat.Render(
            FormatOption.Get(context),
            ["NAME", "URL", "PROTOCOL", "AUTH TYPE", "PUBLIC", "STATIC", "GLOBAL"],
            rows,
            _ => Render.Element(raw, CliJsonContext.Default.JsonObject)));
    }
}

/// <summary><c>berth remote get-default</c>.</summary>
internal sealed class RemoteGetDefaultCommand : Command
{
    public RemoteGetDefaultCommand(CliApp app) : base("get-default", "Show the default remote")
    {
        app.SetAction(this, (context, _) => context.Out.WriteLineAsync(context.Config.DefaultRemote));
    }
}

/// <summary><c>berth remote switch remote</c>: sets the default remote in config.yml.</summary>
internal sealed class RemoteSwitchCommand : Command
{
    private readonly Argument<string> _remote = new("remote") { Description = "Remote name" };

    public RemoteSwitchCommand(CliApp app) : base("switch", "Switch the default remote")
    {
        Aliases.Add("set-default");
        Arguments.Add(_remote);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var name = context.GetValue(_remote);
        if (!context.Config.Remotes.ContainsKey(name))
        {
            throw new CliException($"Remote {name} doesn't exist");
        }

        context.Config.DefaultRemote = name;
        context.Config.Save();
        return Task.CompletedTask;
    }
}

/// <summary><c>berth remote remove NAME</c>: forgets the remote and its pinned certificate.</summary>
internal sealed class RemoteRemoveCommand : Command
{
    private readonly Argument<string> _remote = new("remote") { Description = "Remote name" };

    public RemoteRemoveCommand(CliApp app) : base("remove", "Remove remotes")
    {
        Aliases.Add("rm");
        Arguments.Add(_remote);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var name = context.GetValue(_remote);
        var config = context.Config;
        RemoteCommand.Modifiable(context, name);
        if (config.DefaultRemote == name)
        {
            throw new CliException("Can't remove the default remote");
        }

        config.Remotes.Remove(name);
        var pinned = context.Certificates.ServerCertificatePath(name);
        if (File.Exists(pinned))
        {
            File.Delete(pinned);
        }

        config.Save();
        return Task.CompletedTask;
    }
}

/// <summary><c>berth remote rename OLD NEW</c>: the pinned certificate and the default follow.</summary>
internal sealed class RemoteRenameCommand : Command
{
    private readonly Argument<string> _remote = new("remote") { Description = "Remote name" };
    private readonly Argument<string> _newName = new("new-name") { Description = "New remote name" };

    public RemoteRenameCommand(CliApp app) : base("rename", "Rename remotes")
    {
        Aliases.Add("mv");
        Arguments.Add(_remote);
        Arguments.Add(_newName);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (name, newName) = (context.GetValue(_remote), context.GetValue(_newName));
        var config = context.Config;
        var entry = RemoteCommand.Modifiable(context, name);
        if (config.Remotes.ContainsKey(newName))
        {
            throw new CliException($"Remote {newName} already exists");
        }

        if (newName.Contains(':', StringComparison.Ordinal))
        {
            throw new CliException("Remote names may not contain colons");
        }

        var certificates = context.Certificates;
        if (File.Exists(certificates.ServerCertificatePath(name)))
        {
            File.Move(certificates.ServerCertificatePath(name), certificates.ServerCertificatePath(newName));
        }

        config.Remotes.Remove(name);
        config.Remotes[newName] = entry;
        if (config.DefaultRemote == name)
        {
            config.DefaultRemote = newName;
        }

        config.Save();
        return Task.CompletedTask;
    }
}

/// <summary><c>berth remote set-url NAME URL</c>: points a remote elsewhere (its pinned certificate stays).</summary>
internal sealed class RemoteSetUrlCommand : Command
{
    private readonly Argument<string> _remote = new("remote") { Description = "Remote name" };
    private readonly Argument<string> _url = new("url") { Description = "New URL" };

    public RemoteSetUrlCommand(CliApp app) : base("set-url", "Set the URL for the remote")
    {
        Arguments.Add(_remote);
        Arguments.Add(_url);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var name = context.GetValue(_remote);
        var entry = RemoteCommand.Modifiable(context, name);
        context.Config.Remotes[name] = entry with { Addr = context.GetValue(_url) };
        context.Config.Save();
        return Task.CompletedTask;
    }
}
