using System.Globalization;
using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>
/// <c>berthd shutdown</c> (LXD's <c>lxd shutdown</c>): every running instance is stopped, higher
/// <c>boot.stop.priority</c> first and equal priorities together, each cleanly within
/// <c>boot.host_shutdown_timeout</c> seconds (default 30) and then killed. They stay recorded as running, so the
/// next berthd start brings them back.
/// </summary>
public sealed partial class InstanceService
{
    private const int DefaultHostShutdownTimeout = 30;

    public async Task StopAllForHostShutdownAsync(Action<string, Exception> onFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onFailure);
        var running = Projects().SelectMany(List).Where(i => i.StatusCode is StatusCode.Running or StatusCode.Frozen).ToList();
        foreach (var group in running.GroupBy(i => Int(i, "boot.stop.priority")).OrderByDescending(g => g.Key))
        {
            await Task.WhenAll(group.Select(i => StopForHostShutdownAsync(i, onFailure, cancellationToken))).ConfigureAwait(false);
        }
    }

    private async Task StopForHostShutdownAsync(Instance instance, Action<string, Exception> onFailure, CancellationToken cancellationToken)
    {
        var timeout = int.TryParse(instance.ExpandedConfig.GetValueOrDefault("boot.host_shutdown_timeout"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : DefaultHostShutdownTimeout;
        try
        {
            await StopAsync(instance.Project, instance.Name, force: timeout == 0, timeout, "RUNNING", null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ApiException or IOException)
        {
            onFailure(instance.Name, e);
        }
    }
}
