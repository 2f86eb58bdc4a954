using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth image alias list [remote:] [filter...]</c>: ALIAS, FINGERPRINT, TYPE, DESCRIPTION; a filter keeps the
/// aliases whose name or fingerprint contains it (any filter matching is enough).
/// </summary>
internal sealed class ImageAliasListCommand : Command
{
    private readonly Argument<string[]> _args = new("filters") { Description = "[<remote>:] [<filters>...]", Arity = ArgumentArity.ZeroOrMore };

    public ImageAliasListCommand(CliApp app) : base("list", "List image aliases")
    {
        Aliases.Add("ls");
        Arguments.Add(_args);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.GetValue(_args) ?? [];
        var (remote, name) = context.ParseRemote(args.Length > 0 ? args[0] : "");
        var filters = args.Skip(1).Prepend(name).Where(f => f.Length > 0).ToList();
        var (aliases, _) = await context.Client(remote).GetAsync("/1.0/images/aliases?recursion=1", ApiJsonContext.Wire.ListImageAliasesEntry, cancellationToken).ConfigureAwait(false);
        var rows = aliases
            .Where(a => filters.Count == 0 || filters.Any(f => a.Name.Contains(f, StringComparison.Ordinal) || a.Target.Contains(f, StringComparison.Ordinal)))
            .Select(a => new[] { a.Name, a.Target[..Math.Min(12, a.Target.Length)], (a.Type.Length > 0 ? a.Type : "container").ToUpperInvariant(), a.Description })
            .ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["ALIAS", "FINGERPRINT", "TYPE", "DESCRIPTION"], rows,
            _ => Render.Element(aliases, ApiJsonContext.Wire.ListImageAliasesEntry))).ConfigureAwait(false);
    }
}

/// <summary><c>berth image alias delete [remote:]alias</c>.</summary>
internal sealed class ImageAliasDeleteCommand : Command
{
    private readonly Argument<string> _alias = new("alias") { Description = "[<remote>:]<alias>" };

    public ImageAliasDeleteCommand(CliApp app) : base("delete", "Delete image aliases")
    {
        Aliases.Add("rm");
        Arguments.Add(_alias);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (remote, alias) = ImageAliasTarget.Parse(context, context.GetValue(_alias));
            await context.Client(remote).RawAsync(HttpMethod.Delete, "/1.0/images/aliases/" + BerthClient.Escape(alias), cancellationToken: cancellationToken).ConfigureAwait(false);
        });
    }
}

/// <summary><c>berth image alias rename [remote:]alias new-name</c>.</summary>
internal sealed class ImageAliasRenameCommand : Command
{
    private readonly Argument<string> _alias = new("alias") { Description = "[<remote>:]<alias>" };
    private readonly Argument<string> _newName = new("new-name") { Description = "<new-name>" };

    public ImageAliasRenameCommand(CliApp app) : base("rename", "Rename aliases")
    {
        Aliases.Add("mv");
        Arguments.Add(_alias);
        Arguments.Add(_newName);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (remote, alias) = ImageAliasTarget.Parse(context, context.GetValue(_alias));
            await context.Client(remote).SendJsonAsync(HttpMethod.Post, "/1.0/images/aliases/" + BerthClient.Escape(alias),
                new ImageAliasesEntryPost { Name = context.GetValue(_newName) }, ApiJsonContext.Wire.ImageAliasesEntryPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        });
    }
}

internal static class ImageAliasTarget
{
    public static (string Remote, string Alias) Parse(CliContext context, string raw)
    {
        var (remote, alias) = context.ParseRemote(raw);
        return alias.Length > 0 ? (remote, alias) : throw new CliException("Alias name missing");
    }
}
