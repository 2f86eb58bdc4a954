using System.Globalization;
using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>
/// Instances brought back when berthd starts (after a host reboot, say): those with <c>boot.autostart=true</c>, and,
/// when the key is unset, those that were running when last seen (<c>volatile.last_state.power</c>), as LXD does.
/// Higher <c>boot.autostart.priority</c> first; <c>boot.autostart.delay</c> seconds are waited after each.
/// </summary>
public sealed partial class InstanceService
{
    public async Task AutostartAsync(Action<string, Exception> onFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onFailure);
        var due = Projects().SelectMany(List).Where(ShouldAutostart)
            .OrderByDescending(i => Int(i, "boot.autostart.priority")).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
        foreach (var instance in due)
        {
            try
            {
                await StartAsync(instance.Project, instance.Name, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ApiException or IOException)
            {
                onFailure(instance.Name, e);
                continue;
            }

            if (Int(instance, "boot.autostart.delay") is > 0 and var delay)
            {
                await Task.Delay(TimeSpan.FromSeconds(delay), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool ShouldAutostart(Instance instance)
    {
        if (instance.StatusCode != StatusCode.Stopped)
        {
            return false;
        }

        return instance.ExpandedConfig.GetValueOrDefault("boot.autostart") switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => instance.Config.GetValueOrDefault("volatile.last_state.power") == "RUNNING",
        };
    }

    private static int Int(Instance instance, string key) =>
        int.TryParse(instance.ExpandedConfig.GetValueOrDefault(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
