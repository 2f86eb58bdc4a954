using Berth.Api.Yaml;
using System.CommandLine;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>berth operation</c>: background operations.</summary>
internal sealed class OperationCommand : Command
{
    public OperationCommand(CliApp app) : base("operation", "List, show and delete background operations")
    {
        Subcommands.Add(new OperationListCommand(app));
        Subcommands.Add(new OperationShowCommand(app));
        Subcommands.Add(new OperationDeleteCommand(app));
    }

    internal static Argument<string> OperationArgument() => new("operation") { Description = "[<remote>:]<operation>" };

    /// <summary>Operations as the Go client re-encodes them: struct order, but the maps (resources, metadata) sorted and never null.</summary>
    internal static JsonElement ForDisplay(JsonElement operations, bool nullAsEmpty = true) => JsonText.Sorted(operations, ["resources", "metadata"], nullAsEmpty);
}

/// <summary><c>berth operation list [remote:]</c>: ID, TYPE, DESCRIPTION, STATUS, CANCELABLE, CREATED.</summary>
internal sealed class OperationListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _allProjects = new("--all-projects") { Description = "List operations from all projects" };

    public OperationListCommand(CliApp app) : base("list", "List background operations")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        Options.Add(_allProjects);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.ParseRemoteOnly(context.GetValue(_remote)));
        var raw = await client.GetOperationsRawAsync(context.GetValue(_allProjects), cancellationToken).ConfigureAwait(false);
        var elements = raw.ValueKind == JsonValueKind.Object
            ? raw.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).SelectMany(p => p.Value.EnumerateArray()).ToList()
            : [];
        var rows = elements.Select(e => Row(e.Deserialize(ApiJsonContext.Wire.Operation)!)).ToList();
        await context.Out.WriteAsync(TableFormat.Render(
            FormatOption.Get(context),
            ["ID", "TYPE", "DESCRIPTION", "STATUS", "CANCELABLE", "CREATED"],
            rows,
            format => OperationCommand.ForDisplay(Render.Element(elements, CliJsonContext.Default.ListJsonElement), format != TableFormat.Json))).ConfigureAwait(false);
    }

    internal static string[] Row(Operation op) =>
    [
        op.Id,
        op.Class.ToUpperInvariant(),
        op.Description,
        op.Status.ToUpperInvariant(),
        op.MayCancel ? "YES" : "NO",
        op.CreatedAt.ToUniversalTime().ToString("yyyy/MM/dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
    ];
}

/// <summary><c>berth operation show [remote:]id</c>: the operation as YAML.</summary>
internal sealed class OperationShowCommand : Command
{
    private readonly Argument<string> _operation = OperationCommand.OperationArgument();

    public OperationShowCommand(CliApp app) : base("show", "Show details on a background operation")
    {
        Arguments.Add(_operation);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, id) = context.ParseRemote(context.GetValue(_operation));
        var operation = await context.Client(remote).GetOperationRawAsync(BerthClient.OperationId(id), cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(YamlWriter.Write(OperationCommand.ForDisplay(operation), plainTimestamps: true)).ConfigureAwait(false);
    }
}

/// <summary><c>berth operation delete [remote:]id</c>: cancels it.</summary>
internal sealed class OperationDeleteCommand : Command
{
    private readonly Argument<string> _operation = OperationCommand.OperationArgument();

    public OperationDeleteCommand(CliApp app) : base("delete", "Delete a background operation (will attempt to cancel)")
    {
        Aliases.Add("cancel");
        Aliases.Add("rm");
        Arguments.Add(_operation);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, id) = context.ParseRemote(context.GetValue(_operation));
        id = BerthClient.OperationId(id);
        await context.Client(remote).DeleteOperationAsync(id, cancellationToken).ConfigureAwait(false);
        context.Print($"Operation {id} deleted");
    }
}
