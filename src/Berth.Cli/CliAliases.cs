using System.Diagnostics;
using Berth.Cli.Config;

namespace Berth.Cli;

/// <summary>Applies config.yml's command aliases to the command line before it is parsed (once: no alias loops).</summary>
internal static class CliAliases
{
    /// <summary>Set for an external alias command, so a <c>berth</c> it runs does not expand aliases again (lxc's LXC_ALIASES).</summary>
    public const string GuardVariable = "BERTH_ALIASES";

    /// <summary>
    /// The arguments after alias expansion, or an exit code when the alias ran an external command or failed; and
    /// config.yml as read, for the command to use. An unreadable config.yml leaves the arguments alone, as lxc does.
    /// </summary>
    public static async Task<(string[]? Args, int ExitCode, CliConfig? Config)> ApplyAsync(string[] args, CliHost host, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || host.GetEnvironment(GuardVariable) == "1")
        {
            return (args, 0, null);
        }

        CliConfig config;
        try
        {
            config = CliConfig.Load(CliConfig.DefaultDirectory(host.GetEnvironment));
        }
        catch (Exception e) when (CliApp.ErrorMessage(e) is not null)
        {
            return (args, 0, null);
        }

        List<string>? expanded;
        bool external;
        try
        {
            expanded = AliasExpander.Expand(config.Aliases, args, out external);
        }
        catch (CliException e)
        {
            await host.Error.WriteLineAsync("Error: " + e.Message).ConfigureAwait(false);
            return (null, 1, config);
        }

        if (expanded is null)
        {
            return (args, 0, config);
        }

        return external ? (null, await RunExternalAsync(expanded, host, cancellationToken).ConfigureAwait(false), config) : ([.. expanded], 0, config);
    }

    private static async Task<int> RunExternalAsync(List<string> command, CliHost host, CancellationToken cancellationToken)
    {
        var path = command[0];
        if (!File.Exists(path))
        {
            await host.Error.WriteLineAsync($"Error: Processing aliases failed: exec: \"{path}\": stat {path}: no such file or directory").ConfigureAwait(false);
            return 1;
        }

        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[GuardVariable] = "1";
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("no process");
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            await host.Error.WriteLineAsync($"Error: Processing aliases failed: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
