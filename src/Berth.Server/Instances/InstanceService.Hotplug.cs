using Berth.Api;

namespace Berth.Server.Instances;

/// <summary>Devices added to or removed from a running container.</summary>
public sealed partial class InstanceService
{
    private static Task HotplugDevicesAsync(Instance before, Instance after, CancellationToken cancellationToken)
    {
        _ = before;
        _ = after;
        _ = cancellationToken;
        return Task.CompletedTask;
    }
}
