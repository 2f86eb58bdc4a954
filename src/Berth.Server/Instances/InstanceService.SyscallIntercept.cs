using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>
/// <c>security.syscalls.intercept.mknod</c> and <c>.setxattr</c>: the container's monitor forwards those syscalls to
/// berth-fork's notify proxy (<see cref="Host.SeccompProxy"/>), which makes the harmless device nodes and overlayfs
/// whiteouts an unprivileged container cannot make itself. The proxy must listen before such a container starts, and
/// again after a berthd restart for those still running.
/// </summary>
public sealed partial class InstanceService
{
    /// <summary>The proxy socket for an instance that intercepts syscalls (the proxy started if needed); else null.</summary>
    private string? SeccompProxySocket(Instance instance) =>
        SeccompPolicy.NeedsProxy(instance.ExpandedConfig) ? _seccompProxy.EnsureRunning() : null;

    /// <summary>At daemon start: when a running container intercepts syscalls, its proxy listens again.</summary>
    public void ResumeSyscallInterception()
    {
        if (Projects().SelectMany(List).Any(i => i.StatusCode != StatusCode.Stopped && SeccompPolicy.NeedsProxy(i.ExpandedConfig)))
        {
            _seccompProxy.EnsureRunning();
        }
    }
}
