using Berth.Api;

namespace Berth.Server.Config;

/// <summary>Placeholder until the full device tables land.</summary>
public static class DeviceSchema
{
    public static void Validate(IReadOnlyDictionary<string, Dictionary<string, string>> devices, bool isProfile)
    {
        ArgumentNullException.ThrowIfNull(devices);
        foreach (var (name, device) in devices)
        {
            if (!device.ContainsKey("type"))
            {
                throw new ApiException(400, $"Device \"{name}\" has no type");
            }
        }
    }
}
