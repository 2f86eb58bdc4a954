using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth console [remote:]instance [--show-log]</c>: prints the console log, or attaches stdin and stdout to the
/// console until the end of input (ctrl-d on a terminal) detaches.
/// </summary>
internal sealed class ConsoleCommand : Command
{
    private readonly Argument<string> _instance = new("instance") { Description = "[<remote>:]<instance>" };
    private readonly Option<bool> _showLog = new("--show-log") { Description = "Retrieve the instance's console log" };

    public ConsoleCommand(CliApp app) : base("console", "Attach to instance consoles")
    {
        Arguments.Add(_instance);
        Options.Add(_showLog);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(context.GetValue(_instance));
        var client = context.Client(remote);
        if (context.GetValue(_showLog))
        {
            var log = await client.GetInstanceConsoleLogAsync(name, cancellationToken).ConfigureAwait(false);
            await context.Out.WriteAsync("\nConsole log:\n\n" + log + "\n").ConfigureAwait(false);
            return;
        }

        if (context.Host.InputIsTerminal)
        {
            await context.Error.WriteLineAsync("To detach from the console, end the input (ctrl-d)").ConfigureAwait(false);
        }

        await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var stdin = Console.OpenStandardInput();
        await using var stdout = Console.OpenStandardOutput();
        await client.AttachInstanceConsoleAsync(name, stdin, stdout, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
