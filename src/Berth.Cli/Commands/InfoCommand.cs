using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Api.Yaml;

namespace Berth.Cli.Commands;

/// <summary><c>berth info [remote:]</c>: the server's <c>GET /1.0</c> as YAML, like <c>lxc info</c>.</summary>
internal sealed class InfoCommand : Command
{
    private readonly Argument<string?> _target = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _resources = new("--resources") { Description = "Show the resources available to the server" };

    public InfoCommand(CliApp app) : base("info", "Show server information")
    {
        Arguments.Add(_target);
        Options.Add(_resources);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var raw = context.GetValue(_target);
        var (remote, name) = context.ParseRemote(raw is null ? "" : raw);
        if (name.Length > 0)
        {
            throw new CliException("Instance information is not supported yet");
        }

        var client = context.Client(remote);
        if (context.GetValue(_resources))
        {
            var (response, _) = await client.QueryAsync("GET", "/1.0/resources", cancellationToken: cancellationToken).ConfigureAwait(false);
            await context.Out.WriteAsync(YamlWriter.Write(response.Metadata)).ConfigureAwait(false);
            return;
        }

        var (server, _) = await client.GetServerRawAsync(cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(YamlWriter.Write(LowercaseDriverKeys(server))).ConfigureAwait(false);
    }

    /// <summary>
    /// LXD's storage driver info has no YAML tags, so its YAML keys are the lower-cased Go field names
    /// (<c>name</c>, <c>version</c>, <c>remote</c>) while its JSON keys are capitalised.
    /// </summary>
    internal static JsonElement LowercaseDriverKeys(JsonElement server)
    {
        if (server.ValueKind != JsonValueKind.Object || JsonNode.Parse(server.GetRawText()) is not JsonObject root
            || root["environment"]?["storage_supported_drivers"] is not JsonArray drivers)
        {
            return server;
        }

        for (var i = 0; i < drivers.Count; i++)
        {
            if (drivers[i] is JsonObject driver)
            {
                var lowered = new JsonObject();
                foreach (var (key, value) in driver.ToList())
                {
                    driver.Remove(key);
                    lowered[key.ToLowerInvariant()] = value;
                }

                drivers[i] = lowered;
            }
        }

        return JsonSerializer.SerializeToElement(root, CliJsonContext.Default.JsonObject);
    }
}
