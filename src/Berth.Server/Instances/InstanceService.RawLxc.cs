using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Instances;

public sealed partial class InstanceService
{
    /// <summary>
    /// When an update changes the expanded <c>raw.lxc</c>, liblxc must accept it (LXD loads it into the container's
    /// liblxc config on update, running or not): a key liblxc does not know is refused now rather than at the next
    /// start, and nothing is stored.
    /// </summary>
    private void CheckRawLxcChange(IStateReader reader, Instance current, Instance updated)
    {
        var before = ExpandedRawLxc(reader, current);
        var after = ExpandedRawLxc(reader, updated);
        if (after.Length == 0 || after == before)
        {
            return;
        }

        if (_runtime.CheckRawLxc(after) is { } error)
        {
            throw new ApiException(400, $"Failed to load raw.lxc: {(error.Length > 0 ? error : "loading config file for the container failed")}");
        }
    }

    private static string ExpandedRawLxc(IStateReader reader, Instance instance)
    {
        var profiles = instance.Profiles.Select(p => reader.GetJson($"projects/{instance.Project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        return ConfigExpander.Expand(profiles, instance.Config, instance.Devices).Config.GetValueOrDefault("raw.lxc") ?? "";
    }
}
