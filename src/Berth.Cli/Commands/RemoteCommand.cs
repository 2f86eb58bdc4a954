using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Config;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth remote</c>: the remotes of config.yml (only <c>unix://</c> ones are usable for now).</summary>
internal sealed class RemoteCommand : Command
{
    public RemoteCommand(CliApp app) : base("remote", "Manage the list of remote servers")
    {
        Subcommands.Add(new RemoteListCommand(app));
        Subcommands.Add(new RemoteGetDefaultCommand(app));
        Subcommands.Add(new RemoteSwitchCommand(app));
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
                name == CliConfig.LocalRemote ? "YES" : "NO",
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
