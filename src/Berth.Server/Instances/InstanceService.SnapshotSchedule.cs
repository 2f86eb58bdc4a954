using Berth.Api;
using Berth.Server.Database;

namespace Berth.Server.Instances;

/// <summary>
/// Scheduled snapshots (<c>snapshots.schedule</c>, <c>.schedule.stopped</c>, <c>.pattern</c>, <c>.expiry</c>) and
/// the pruning of expired snapshots, run once a minute by <see cref="SnapshotScheduler"/>.
/// </summary>
public sealed partial class InstanceService
{
    /// <summary>One scheduler tick: takes the snapshots due in <paramref name="minute"/>, then deletes expired ones.</summary>
    public async Task RunSnapshotScheduleAsync(DateTimeOffset minute, Action<string, Exception> onFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onFailure);
        foreach (var project in Projects())
        {
            foreach (var instance in List(project))
            {
                try
                {
                    await ScheduleOneAsync(instance, minute, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ApiException or IOException)
                {
                    onFailure(instance.Name, e);
                }
            }
        }
    }

    private async Task ScheduleOneAsync(Instance instance, DateTimeOffset minute, CancellationToken cancellationToken)
    {
        var config = instance.ExpandedConfig;
        var schedule = config.GetValueOrDefault("snapshots.schedule");
        var whenStopped = config.GetValueOrDefault("snapshots.schedule.stopped") is "true" or "1";
        if (!string.IsNullOrEmpty(schedule) && CronSchedule.Matches(schedule, minute) && (whenStopped || instance.StatusCode != StatusCode.Stopped))
        {
            var name = NextSnapshotName(_store.Snapshot(), instance.Project, instance.Name, config.GetValueOrDefault("snapshots.pattern"));
            await CreateSnapshotAsync(instance.Project, instance.Name, name, null, null, cancellationToken).ConfigureAwait(false);
        }

        foreach (var snap in Snapshots(instance.Project, instance.Name).Where(s => s.ExpiresAt != DateTimeOffset.MinValue && s.ExpiresAt <= minute))
        {
            await DeleteSnapshotAsync(instance.Project, instance.Name, snap.Name, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A free name for an unnamed snapshot, from <c>snapshots.pattern</c> (see <see cref="SnapshotNames"/>).</summary>
    private static string NextSnapshotName(IStateReader reader, string project, string name, string? pattern) =>
        SnapshotNames.Next(pattern, reader.List(SnapshotPrefix(project, name)).Select(kv => kv.Key[SnapshotPrefix(project, name).Length..]).ToHashSet(StringComparer.Ordinal));

    private IEnumerable<string> Projects() =>
        _store.Snapshot().List("projects/").Select(kv => kv.Key.Split('/')).Where(p => p is [_, _, "instances", _]).Select(p => p[1]).Distinct(StringComparer.Ordinal).ToList();
}
