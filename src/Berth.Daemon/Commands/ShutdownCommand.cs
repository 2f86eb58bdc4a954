using System.CommandLine;
using Berth.Api;

namespace Berth.Daemon.Commands;

/// <summary><c>berthd shutdown [--timeout N]</c>: ask the daemon to stop and wait until it has.</summary>
internal static class ShutdownCommand
{
    public static Command Create()
    {
        var timeout = new Option<int>("--timeout", "-t") { Description = "Number of seconds to wait before giving up", DefaultValueFactory = _ => 60 };
        var force = new Option<bool>("--force", "-f") { Description = "Force shutdown (accepted for lxd compatibility)" };
        var command = new Command("shutdown", "Tell the daemon to shutdown all instances and exit") { timeout, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var seconds = parse.GetValue(timeout);
            using var client = LocalDaemon.Connect(TimeSpan.FromSeconds(Math.Max(seconds, 1)));
            try
            {
                await client.RawAsync(HttpMethod.Put, "/internal/shutdown", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or Berth.Client.BerthConnectionException)
            {
                return await LocalDaemon.FailAsync($"Failed to connect to {LocalDaemon.SocketPath}: {e.Message}").ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                return await LocalDaemon.FailAsync(e.Message).ConfigureAwait(false);
            }

            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (await LocalDaemon.IsListeningAsync(cancellationToken).ConfigureAwait(false))
            {
                if (DateTime.UtcNow > deadline)
                {
                    return await LocalDaemon.FailAsync($"Daemon still running after {seconds}s timeout").ConfigureAwait(false);
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
