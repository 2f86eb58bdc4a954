using Berth.Api;
using Berth.Native;
using Microsoft.Extensions.Logging;

namespace Berth.Server.Instances;

/// <summary>
/// A container that stops by itself (poweroff inside) is cleaned up as one stopped through the API, as LXD's onStop
/// does: liblxc runs <c>berth-stophook</c> (lxc.hook.post-stop) for every stop, which calls
/// <c>/internal/instances/&lt;name&gt;/stopped</c>. Stops berthd makes itself clean up on their own: a marker file in
/// the container's dir, there while berthd waits for liblxc, tells the hook not to call (liblxc waits for the hook
/// before the container counts as stopped, so a call would slow every stop by a round trip to berthd).
/// </summary>
public sealed partial class InstanceService
{
    private static readonly TimeSpan HookSettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Instances berthd is stopping (a count: a restore and a stop may overlap); the marker is there while above 0.</summary>
    private readonly Dictionary<string, int> _stopping = new(StringComparer.Ordinal);

    /// <summary>The line that makes liblxc call back on every stop (none when the hook is not installed).</summary>
    private string StopHookLine(string project, string name)
    {
        var hook = Path.Combine(BerthLibexec.Directory, BerthLibexec.StopHookName);
        // Not ending in a quote: liblxc takes a value in quotes as one quoted string and strips them.
        return File.Exists(hook) ? $"lxc.hook.post-stop = {Quote(hook)} {Quote(_paths.Socket)} {Quote(StopMarker(name))} {project} {name}\n" : "";
    }

    private string StopMarker(string name) => Path.Combine(_paths.LxcDir(name), "stopping");

    /// <summary>A marker a crashed berthd left would hide the next stop from inside: none before a start.</summary>
    private void ClearStopMarker(string name) => File.Delete(StopMarker(name));

    // liblxc runs a hook through sh -c.
    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Marks one of berthd's own stops of the container for as long as the scope lasts (around the runtime's stop), so
    /// the hook stays silent for it.
    /// </summary>
    private OwnStopScope OwnStop(string name)
    {
        lock (_stopping)
        {
            var count = _stopping.GetValueOrDefault(name) + 1;
            _stopping[name] = count;
            if (count == 1 && Directory.Exists(_paths.LxcDir(name)))
            {
                File.WriteAllBytes(StopMarker(name), []);
            }
        }

        return new OwnStopScope(this, name);
    }

    private void EndOwnStop(string name)
    {
        lock (_stopping)
        {
            var count = _stopping.GetValueOrDefault(name) - 1;
            if (count > 0)
            {
                _stopping[name] = count;
                return;
            }

            _stopping.Remove(name);
            ClearStopMarker(name);
        }
    }

    private bool IsOwnStop(string name)
    {
        lock (_stopping)
        {
            return _stopping.ContainsKey(name);
        }
    }

    private readonly struct OwnStopScope(InstanceService service, string name) : IDisposable
    {
        public void Dispose() => service.EndOwnStop(name);
    }

    /// <summary>
    /// The hook's call: <paramref name="target"/> is liblxc's LXC_TARGET (stop, or reboot when the container restarts
    /// itself). Answers at once (liblxc is waiting) and does the work after.
    /// </summary>
    public void OnStopHook(string project, string name, string target)
    {
        if (IsOwnStop(name))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                if (target == "reboot")
                {
                    await AfterRebootAsync(project, name).ConfigureAwait(false);
                }
                else
                {
                    await AfterStopFromInsideAsync(project, name).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ApiException or IOException or TimeoutException or InvalidOperationException)
            {
                StopHookFailed(_logger, name, e.Message);
            }
        });
    }

    private async Task AfterStopFromInsideAsync(string project, string name)
    {
        await SettleAsync(name, state => state == "STOPPED").ConfigureAwait(false);
        var instance = Get(project, name);
        StopProxies(name);
        ReleaseHostDisks(name);
        await RecordAsync(project, name, i => i with { Config = With(i.Config, "volatile.last_state.power", "STOPPED") }, CancellationToken.None).ConfigureAwait(false);
        _events.PublishLifecycle("instance-shutdown", Url(name), project: project);
        if (instance.Ephemeral)
        {
            await DeleteAsync(project, name, null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>liblxc starts a rebooting container again itself: new host-side veths to shape, a new netns for the proxies.</summary>
    private async Task AfterRebootAsync(string project, string name)
    {
        await SettleAsync(name, state => state == "RUNNING").ConfigureAwait(false);
        await ShapeNicsAsync(project, name, CancellationToken.None).ConfigureAwait(false);
        await StartProxiesAsync(project, name, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Waits (bounded) for the state liblxc sets once the hook has returned.</summary>
    private async Task SettleAsync(string name, Func<string, bool> done)
    {
        var deadline = _time.GetUtcNow() + HookSettleTimeout;
        while (!done(_runtime.State(name)))
        {
            if (_time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"the container did not settle within {HookSettleTimeout.TotalSeconds} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleanup after instance {Name} stopped by itself failed: {Reason}")]
    private static partial void StopHookFailed(ILogger logger, string name, string reason);
}
