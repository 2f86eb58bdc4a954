using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>Config changes reaching running containers: limits now, devices hot-plugged where possible.</summary>
public sealed partial class InstanceService
{
    public async Task ProfileUpdatedAsync(string project, string profile, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var instance in List(project).Where(i => i.StatusCode != StatusCode.Stopped && i.Profiles.Contains(profile, StringComparer.Ordinal)))
        {
            try
            {
                ApplyLimits(instance);
            }
            catch (ApiException e)
            {
                failures.Add($"{instance.Name}: {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            throw new ApiException(400, "The profile was saved, but applying it to running instances failed: " + string.Join("; ", failures));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// After a PUT/PATCH of a running instance: limits written to its cgroups, devices hot-plugged. On failure the
    /// previous record comes back (and its limits), so a rejected change leaves nothing behind.
    /// </summary>
    private async Task ApplyLiveAsync(string project, string name, Instance previousStored, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        if (instance.StatusCode == StatusCode.Stopped)
        {
            return;
        }

        var previous = Expand(_store.Snapshot(), previousStored);
        try
        {
            ApplyLimits(instance);
            await HotplugDevicesAsync(previous, instance, cancellationToken).ConfigureAwait(false);
            await HotplugNicsAsync(previous, instance, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException)
        {
            await RecordAsync(project, name, _ => previousStored, cancellationToken).ConfigureAwait(false);
            try
            {
                ApplyLimits(previous);
            }
            catch (ApiException)
            {
                // Best effort: the original error is the one to report.
            }

            throw;
        }
    }
}
