namespace Berth.Server.Config;

public static partial class DeviceSchema
{
    /// <summary>
    /// The devices as stored: an empty key means unset (<c>lxc config|profile device unset</c> sends the key with
    /// ""), and LXD never stores one, so it is dropped rather than kept as <c>key: ""</c>.
    /// </summary>
    public static Dictionary<string, Dictionary<string, string>> WithoutEmptyValues(IReadOnlyDictionary<string, Dictionary<string, string>>? devices) =>
        devices is null ? new(StringComparer.Ordinal)
            : devices.ToDictionary(
                d => d.Key,
                d => new Dictionary<string, string>((d.Value ?? []).Where(kv => kv.Value is { Length: > 0 }), StringComparer.Ordinal),
                StringComparer.Ordinal);
}
