using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Server.Instances;

/// <summary>Wakes at the start of every minute to run <see cref="InstanceService.RunSnapshotScheduleAsync"/>.</summary>
public sealed partial class SnapshotScheduler(InstanceService instances, TimeProvider time, ILogger<SnapshotScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
            try
            {
                await Task.Delay(next - now, time, stoppingToken).ConfigureAwait(false);
                await instances.RunSnapshotScheduleAsync(next, (name, e) => Failed(logger, name, e.Message), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Scheduled snapshot work for instance {Instance} failed: {Reason}")]
    private static partial void Failed(ILogger logger, string instance, string reason);
}
