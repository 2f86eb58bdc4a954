namespace Berth.Cli.Commands;

/// <summary>
/// The devices of a profile or an instance, loaded for one <c>device</c> command and written back with If-Match.
/// An instance also sees the devices of its profiles: readable and overridable, never changed through it.
/// </summary>
internal sealed class DeviceOwner
{
    public required string Name { get; init; }

    /// <summary>The devices defined on the object itself (the ones a device command may change).</summary>
    public required Dictionary<string, Dictionary<string, string>> Devices { get; init; }

    /// <summary>The devices an instance gets from its profiles and does not define itself.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Inherited { get; init; } = new Dictionary<string, Dictionary<string, string>>();

    public required Func<CancellationToken, Task> SaveAsync { get; init; }

    /// <summary>The object's own device <paramref name="name"/>, or lxc's error for an inherited or unknown one.</summary>
    public Dictionary<string, string> Own(string name, string inheritedError)
    {
        if (Devices.TryGetValue(name, out var device))
        {
            return device;
        }

        throw new CliException(Inherited.ContainsKey(name) ? inheritedError : "Device doesn't exist");
    }
}

/// <summary>How the device commands reach their owner: profiles (<c>profile device</c>) or instances (<c>config device</c>).</summary>
internal sealed record DeviceOwnerKind(string Noun, Func<CliContext, string, CancellationToken, Task<DeviceOwner>> LoadAsync)
{
    public const string ModifyInherited = "Device from profile(s) cannot be modified for individual instance. Override device or modify profile instead";
    public const string RemoveInherited = "Device from profile(s) cannot be removed from individual instance. Override device or modify profile instead";
    public const string GetInherited = "Device from profile(s) cannot be retrieved for individual instance";

    public static DeviceOwnerKind Profiles { get; } = new("profile", async (context, raw, cancellationToken) =>
    {
        var (remote, name) = ProfileCommand.Target(context, raw);
        var client = context.Client(remote);
        var (profile, etag) = await client.GetProfileAsync(name, cancellationToken).ConfigureAwait(false);
        return new DeviceOwner
        {
            Name = name,
            Devices = profile.Devices,
            SaveAsync = token => client.UpdateProfileAsync(name, ProfileCommand.Writable(profile), etag, token),
        };
    });

    public static DeviceOwnerKind Instances { get; } = new("instance", async (context, raw, cancellationToken) =>
    {
        var (remote, name) = InstanceConfig.Target(context, raw);
        var client = context.Client(remote);
        var (instance, etag) = await client.GetInstanceAsync(name, cancellationToken).ConfigureAwait(false);
        return new DeviceOwner
        {
            Name = name,
            Devices = instance.Devices,
            Inherited = instance.ExpandedDevices.Where(d => !instance.Devices.ContainsKey(d.Key)).ToDictionary(StringComparer.Ordinal),
            SaveAsync = token => client.UpdateInstanceAsync(name, InstanceConfig.Writable(instance), etag, token),
        };
    });

    public bool IsInstance => Noun == "instance";
}
