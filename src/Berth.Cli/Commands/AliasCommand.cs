using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth alias</c>: the command aliases of config.yml (<c>aliases</c>), expanded as lxc does.</summary>
internal sealed class AliasCommand : Command
{
    public AliasCommand(CliApp app) : base("alias", "Manage command aliases")
    {
        Subcommands.Add(new AliasAddCommand(app));
        Subcommands.Add(new AliasListCommand(app));
        Subcommands.Add(new AliasRenameCommand(app));
        Subcommands.Add(new AliasRemoveCommand(app));
    }

    /// <summary>lxc's argument check: exactly <paramref name="count"/> arguments, else "Invalid number of arguments".</summary>
    internal static string[] Args(CliContext context, Argument<string[]> argument, int count)
    {
        var args = context.GetValue(argument) ?? [];
        return args.Length == count ? args : throw new CliException("Invalid number of arguments");
    }
}

/// <summary><c>berth alias add ALIAS TARGET</c>.</summary>
internal sealed class AliasAddCommand : Command
{
    private readonly Argument<string[]> _args = new("alias") { Description = "<alias> <target>", Arity = ArgumentArity.ZeroOrMore };

    public AliasAddCommand(CliApp app) : base("add", "Add new aliases")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = AliasCommand.Args(context, _args, 2);
        var aliases = context.Config.Aliases;
        if (aliases.ContainsKey(args[0]))
        {
            throw new CliException($"Alias {args[0]} already exists");
        }

        aliases[args[0]] = args[1];
        context.Config.Save();
        return Task.CompletedTask;
    }
}

/// <summary><c>berth alias list</c>: ALIAS, TARGET (json/yaml: the map).</summary>
internal sealed class AliasListCommand : Command
{
    public AliasListCommand(CliApp app) : base("list", "List aliases")
    {
        Aliases.Add("ls");
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var rows = new List<string[]>();
        var raw = new JsonObject();
        foreach (var (name, target) in context.Config.Aliases)
        {
            rows.Add([name, target]);
            raw[name] = target;
        }

        return context.Out.WriteAsync(TableFormat.Render(
            FormatOption.Get(context),
            ["ALIAS", "TARGET"],
            rows,
            _ => Render.Element(raw, CliJsonContext.Default.JsonObject)));
    }
}

/// <summary><c>berth alias rename OLD NEW</c>.</summary>
internal sealed class AliasRenameCommand : Command
{
    private readonly Argument<string[]> _args = new("alias") { Description = "<old alias> <new alias>", Arity = ArgumentArity.ZeroOrMore };

    public AliasRenameCommand(CliApp app) : base("rename", "Rename aliases")
    {
        Aliases.Add("mv");
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = AliasCommand.Args(context, _args, 2);
        var aliases = context.Config.Aliases;
        if (!aliases.TryGetValue(args[0], out var target))
        {
            throw new CliException($"Alias {args[0]} doesn't exist");
        }

        if (aliases.ContainsKey(args[1]))
        {
            throw new CliException($"Alias {args[1]} already exists");
        }

        aliases.Remove(args[0]);
        aliases[args[1]] = target;
        context.Config.Save();
        return Task.CompletedTask;
    }
}

/// <summary><c>berth alias remove ALIAS</c>.</summary>
internal sealed class AliasRemoveCommand : Command
{
    private readonly Argument<string[]> _args = new("alias") { Description = "<alias>", Arity = ArgumentArity.ZeroOrMore };

    public AliasRemoveCommand(CliApp app) : base("remove", "Remove aliases")
    {
        Aliases.Add("rm");
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = AliasCommand.Args(context, _args, 1);
        if (!context.Config.Aliases.Remove(args[0]))
        {
            throw new CliException($"Alias {args[0]} doesn't exist");
        }

        context.Config.Save();
        return Task.CompletedTask;
    }
}
