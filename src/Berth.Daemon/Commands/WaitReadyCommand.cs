using System.CommandLine;
using Berth.Api;

namespace Berth.Daemon.Commands;

/// <summary><c>berthd waitready [--timeout N]</c>: wait until the daemon answers GET /internal/ready.</summary>
internal static class WaitReadyCommand
{
    public static Command Create()
    {
        var timeout = new Option<int>("--timeout", "-t") { Description = "Number of seconds to wait before giving up (0 waits for ever)" };
        var command = new Command("waitready", "Wait for the daemon to be ready to process requests") { timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var seconds = parse.GetValue(timeout);
            using var deadline = seconds > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            using var client = LocalDaemon.Connect(TimeSpan.FromSeconds(5));
            while (true)
            {
                try
                {
                    await client.RawAsync(HttpMethod.Get, "/internal/ready", cancellationToken: linked.Token).ConfigureAwait(false);
                    return 0;
                }
                catch (Exception e) when (e is HttpRequestException or Berth.Client.BerthConnectionException or ApiException or TaskCanceledException && !linked.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException)
                {
                }

                try
                {
                    await Task.Delay(100, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return await LocalDaemon.FailAsync($"Daemon still not running after {seconds}s timeout").ConfigureAwait(false);
                }
            }
        });
        return command;
    }
}
