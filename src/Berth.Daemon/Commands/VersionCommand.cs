using System.CommandLine;

namespace Berth.Daemon.Commands;

/// <summary><c>berthd version</c>.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Show the server version");
        command.SetAction(_ => Console.WriteLine(DaemonVersion.Current));
        return command;
    }
}
