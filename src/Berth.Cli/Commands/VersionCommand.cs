using System.CommandLine;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>berth version [remote:]</c>: client and server versions, like <c>lxc version</c>.</summary>
internal sealed class VersionCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public VersionCommand(CliApp app) : base("version", "Show local and remote versions")
    {
        Arguments.Add(_remote);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var remote = context.ParseRemoteOnly(context.GetValue(_remote));
        await context.Out.WriteLineAsync($"Client version: {CliApp.ClientVersion}").ConfigureAwait(false);
        string serverVersion;
        try
        {
            var (server, _) = await context.Client(remote).GetServerAsync(cancellationToken).ConfigureAwait(false);
            serverVersion = string.IsNullOrEmpty(server.Environment.ServerVersion) ? "unreachable" : server.Environment.ServerVersion;
        }
        catch (Exception e) when (e is BerthConnectionException or HttpRequestException or Api.ApiException)
        {
            serverVersion = "unreachable";
        }

        await context.Out.WriteLineAsync($"Server version: {serverVersion}").ConfigureAwait(false);
    }
}
