using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth publish instance[/snapshot] [--alias A] [--public] [-f] [--compression C] [key=value...]</c>: a running
/// instance is stopped for the export and started again with <c>--force</c>, as lxc publish does.
/// </summary>
internal sealed class PublishCommand : Command
{
    private readonly Argument<string> _source = new("source") { Description = "[<remote>:]<instance>[/<snapshot>]" };
    private readonly Argument<string[]> _properties = new("properties") { Description = "key=value image properties", Arity = ArgumentArity.ZeroOrMore };
    private readonly Option<string[]> _alias = new("--alias") { Description = "New alias to define at target" };
    private readonly Option<bool> _public = new("--public") { Description = "Make the image public" };
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Stop the instance if currently running" };
    private readonly Option<string?> _compression = new("--compression") { Description = "Compression algorithm to use (none for uncompressed)" };

    public PublishCommand(CliApp app) : base("publish", "Publish instances as images")
    {
        Arguments.Add(_source);
        Arguments.Add(_properties);
        Options.Add(_alias);
        Options.Add(_public);
        Options.Add(_force);
        Options.Add(_compression);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, source) = context.ParseRemote(context.GetValue(_source));
        var client = context.Client(remote);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in context.GetValue(_properties) ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            properties[eq > 0 ? pair[..eq] : throw new ApiException(400, $"Bad key=value pair: {pair}")] = pair[(eq + 1)..];
        }

        var request = new ImagesPost
        {
            Public = context.GetValue(_public),
            Properties = properties,
            CompressionAlgorithm = context.GetValue(_compression) ?? "",
            Aliases = [.. (context.GetValue(_alias) ?? []).Select(a => new ImageAlias { Name = a })],
        };
        var restart = false;
        if (!source.Contains('/', StringComparison.Ordinal))
        {
            var (instance, _) = await client.GetAsync($"/1.0/instances/{Uri.EscapeDataString(source)}", Berth.Api.Json.ApiJsonContext.Wire.Instance, cancellationToken).ConfigureAwait(false);
            if (instance.StatusCode != StatusCode.Stopped)
            {
                if (!context.GetValue(_force))
                {
                    throw new ApiException(400, "The instance is currently running. Use --force to have it stopped and restarted");
                }

                await client.ChangeInstanceStateAsync(source, "stop", force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                restart = true;
            }
        }

        try
        {
            var fingerprint = await client.PublishInstanceAsync(source, request, cancellationToken).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"Instance published with fingerprint: {fingerprint}").ConfigureAwait(false);
        }
        finally
        {
            if (restart)
            {
                await client.ChangeInstanceStateAsync(source, "start", cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
