using System.CommandLine;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth query [remote:]/path</c>: a raw API request, like <c>lxc query</c>. Prints the metadata as tab-indented
/// JSON (nothing when it is empty), or the whole envelope with <c>--raw</c>; <c>--wait</c> waits for an operation and
/// prints it instead.
/// </summary>
internal sealed class QueryCommand : Command
{
    private readonly Argument<string> _path = new("path") { Description = "[<remote>:]<API path>, e.g. /1.0/profiles" };
    private readonly Option<string> _request = new("--request", "-X") { Description = "Action (defaults to GET)", DefaultValueFactory = _ => "GET", HelpName = "method" };
    private readonly Option<string?> _data = new("--data", "-d") { Description = "Input data (JSON; - reads it from stdin)", HelpName = "data" };
    private readonly Option<bool> _wait = new("--wait") { Description = "Wait for the operation to complete" };
    private readonly Option<bool> _raw = new("--raw") { Description = "Print the raw response" };

    public QueryCommand(CliApp app) : base("query", "Send a raw query to the server")
    {
        Arguments.Add(_path);
        Options.Add(_request);
        Options.Add(_data);
        Options.Add(_wait);
        Options.Add(_raw);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, path) = context.ParseRemote(context.GetValue(_path));
        if (!path.StartsWith('/'))
        {
            throw new CliException("Query path must start with /");
        }

        var data = context.GetValue(_data);
        if (data == "-")
        {
            data = await context.Host.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        var client = context.Client(remote);
        var (response, _) = await client.QueryAsync(context.GetValue(_request), path, data, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (context.GetValue(_wait) && response.Type == ResponseType.Async && !string.IsNullOrEmpty(response.Operation))
        {
            var (waited, _) = await client.QueryAsync(
                "GET", $"/1.0/operations/{BerthClient.Escape(BerthClient.OperationId(response.Operation))}/wait", cancellationToken: cancellationToken).ConfigureAwait(false);
            response = waited;
        }

        if (context.GetValue(_raw))
        {
            await context.Out.WriteAsync(JsonText.Indented(JsonSerializer.SerializeToElement(response, ApiJsonContext.Wire.ResponseRaw)) + "\n\n").ConfigureAwait(false);
            return;
        }

        var metadata = response.Metadata;
        if (metadata.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            || (metadata.ValueKind == JsonValueKind.Object && !metadata.EnumerateObject().Any()))
        {
            return;
        }

        await context.Out.WriteAsync(JsonText.Indented(JsonText.Sorted(metadata)) + "\n\n").ConfigureAwait(false);
    }
}
