using System.CommandLine;
using System.Net.WebSockets;
using System.Text.Json;
using Berth.Api;
using Berth.Cli.Commands;
using Berth.Cli.Config;
using Berth.Client;

namespace Berth.Cli;

/// <summary>The <c>berth</c> command tree, its global flags, and how actions report errors (<c>Error: ...</c>, exit 1).</summary>
internal sealed class CliApp
{
    public CliApp(CliHost host)
    {
        Host = host;
    }

    public CliHost Host { get; }

    /// <summary>config.yml as read for alias expansion, so a command does not read it again (null: not read yet).</summary>
    public CliConfig? LoadedConfig { get; init; }

    public Option<string?> ProjectOption { get; } = new("--project") { Description = "Override the source project", Recursive = true, HelpName = "name" };

    public Option<bool> DebugOption { get; } = new("--debug") { Description = "Show all debug messages", Recursive = true };

    public Option<bool> VerboseOption { get; } = new("--verbose", "-v") { Description = "Show all information messages", Recursive = true };

    public Option<bool> QuietOption { get; } = new("--quiet", "-q") { Description = "Don't show progress information", Recursive = true };

    public Option<bool> ForceLocalOption { get; } = new("--force-local") { Description = "Force using the local unix socket", Recursive = true };

    public static string ClientVersion => typeof(CliApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var (expanded, exitCode, config) = await CliAliases.ApplyAsync(args, host, cancellationToken).ConfigureAwait(false);
        if (expanded is null)
        {
            return exitCode;
        }

        return await RunExpandedAsync(expanded, host, config, cancellationToken).ConfigureAwait(false);
    }

    private static Task<int> RunExpandedAsync(string[] args, CliHost host, CliConfig? config, CancellationToken cancellationToken)
    {
        var app = new CliApp(host) { LoadedConfig = config };
        var root = app.BuildRoot(args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null);
        var configuration = new InvocationConfiguration { Output = host.Out, Error = host.Error, EnableDefaultExceptionHandler = false };
        var parseResult = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parseResult.Errors.Count > 0 && !root.Directives.Any(d => parseResult.GetResult(d) is not null))
        {
            // Like lxc: one line on stderr and exit code 1, no help text on stdout.
            var error = parseResult.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parseResult.Errors[0];
            host.Error.WriteLine("Error: " + error.Message);
            return Task.FromResult(1);
        }

        return parseResult.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>
    /// The command tree. With <paramref name="command"/> naming a top-level command (args[0]), only that one is
    /// built: building all of them is most of a short command's start-up, and parsing or help for one command
    /// needs only its own subtree. Anything else (no command, an option first, a typo) gets the whole tree.
    /// </summary>
    public RootCommand BuildRoot(string? command = null)
    {
        var root = new RootCommand("Command line client for Berth, a system container manager speaking LXD's REST API")
        {
            ProjectOption,
            DebugOption,
            VerboseOption,
            QuietOption,
            ForceLocalOption,
        };
        var only = command is null ? null : TopLevel().FirstOrDefault(c => c.Names.Contains(command, StringComparer.Ordinal)).Create;
        foreach (var (_, create) in only is null ? TopLevel() : [([], only)])
        {
            root.Subcommands.Add(create());
        }

        return root;
    }

    /// <summary>Every top-level command with the name and aliases it answers to (a test keeps these in step).</summary>
    internal IReadOnlyList<(string[] Names, Func<Command> Create)> TopLevel() =>
    [
        (["version"], () => new VersionCommand(this)),
        (["info"], () => new InfoCommand(this)),
        (["config"], () => new ConfigCommand(this)),
        (["profile"], () => new ProfileCommand(this)),
        (["operation"], () => new OperationCommand(this)),
        (["monitor"], () => new MonitorCommand(this)),
        (["query"], () => new QueryCommand(this)),
        (["remote"], () => new RemoteCommand(this)),
        (["completion"], () => new CompletionCommand(this)),
        (["image"], () => new ImageCommand(this)),
        (["storage"], () => new StorageCommand(this)),
        (["network"], () => new NetworkCommand(this)),
        (["snapshot"], () => new SnapshotCommand(this)),
        (["restore"], () => new RestoreCommand(this)),
        (["copy", "cp"], () => new CopyCommand(this)),
        (["move", "mv"], () => new MoveCommand(this)),
        (["rename"], () => new RenameCommand(this)),
        (["publish"], () => new PublishCommand(this)),
        (["export"], () => new ExportCommand(this)),
        (["import"], () => new ImportCommand(this)),
        (["file"], () => new FileCommand(this)),
        (["console"], () => new ConsoleCommand(this)),
        (["alias"], () => new AliasCommand(this)),
        (["warning"], () => new WarningCommand(this)),
        (["launch"], () => new LaunchCommand(this, "launch", start: true)),
        (["init"], () => new LaunchCommand(this, "init", start: false)),
        (["list", "ls"], () => new ListCommand(this)),
        (["start"], () => new StateCommand(this, "start", "Start instances")),
        (["stop"], () => new StateCommand(this, "stop", "Stop instances")),
        (["restart"], () => new StateCommand(this, "restart", "Restart instances")),
        (["pause"], () => new StateCommand(this, "pause", "Pause instances")),
        (["delete", "rm"], () => new DeleteCommand(this)),
        (["exec"], () => new ExecCommand(this)),
    ];

    /// <summary>Sets <paramref name="command"/>'s action: errors become <c>Error: message</c> on stderr and exit code 1.</summary>
    public void SetAction(Command command, Func<CliContext, CancellationToken, Task> action) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = new CliContext(this, parseResult);
            try
            {
                await action(context, cancellationToken).ConfigureAwait(false);
                return context.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            catch (Exception e) when (ErrorMessage(e) is { } message)
            {
                await Host.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await Host.Error.WriteLineAsync("Error: " + message).ConfigureAwait(false);
                return 1;
            }
        });

    /// <summary>The user-facing text for the failures the CLI expects; null lets anything else surface as a crash.</summary>
    internal static string? ErrorMessage(Exception e) => e switch
    {
        ApiException or CliException or BerthConnectionException => e.Message,
        HttpRequestException { InnerException: BerthConnectionException inner } => inner.Message,
        HttpRequestException or WebSocketException { InnerException: HttpRequestException } => e.Message,
        WebSocketException { InnerException: BerthConnectionException inner } => inner.Message,
        WebSocketException => e.Message,
        JsonException => "Invalid JSON: " + e.Message,
        IOException => e.Message,
        UnauthorizedAccessException => e.Message,
        _ => null,
    };
}
