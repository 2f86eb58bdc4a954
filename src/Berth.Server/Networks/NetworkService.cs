using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Instances;
using Berth.Server.Util;

namespace Berth.Server.Networks;

/// <summary>
/// Networks: managed bridges recorded in the state store (<c>networks/&lt;name&gt;</c>) and made real on the host by
/// <see cref="BridgeNetwork"/>; the host's other interfaces are listed as unmanaged. Changes are serialised.
/// </summary>
public sealed partial class NetworkService
{
    private const string Prefix = "networks/";
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private readonly InstancePaths _paths;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public NetworkService(IStateStore store, EventHub events, InstancePaths paths)
    {
        _store = store;
        _events = events;
        _paths = paths;
    }

    public static string Url(string name) => "/1.0/networks/" + Uri.EscapeDataString(name);

    public static string ETagOf(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return ETag.Compute(w =>
        {
            w.WriteStringValue(network.Name);
            w.WriteBooleanValue(network.Managed);
            w.WriteStringValue(network.Type);
            w.WriteStringValue(network.Description);
            JsonSerializer.Serialize(w, network.Config, ApiJsonContext.Wire.DictionaryStringString);
        });
    }

    /// <summary>Managed networks first, then the host's interfaces that are not one of them.</summary>
    public IReadOnlyList<Network> List()
    {
        var snapshot = _store.Snapshot();
        var managed = snapshot.ListJson(Prefix, ApiJsonContext.Wire.Network).Select(n => WithUsers(snapshot, n.Value)).ToList();
        var names = managed.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        return [.. managed, .. HostNetworking.Interfaces().Where(i => !names.Contains(i.Name)).Select(i => Unmanaged(snapshot, i.Name, i.Type))];
    }

    public Network Get(string name)
    {
        var snapshot = _store.Snapshot();
        if (snapshot.GetJson(Prefix + name, ApiJsonContext.Wire.Network) is { } network)
        {
            return WithUsers(snapshot, network);
        }

        var host = HostNetworking.Interfaces().FirstOrDefault(i => i.Name == name);
        return host.Name is null ? throw new ApiException(404, "Network not found") : Unmanaged(snapshot, host.Name, host.Type);
    }

    /// <summary>A managed network's record, for NICs; a 404-style error names the device's network.</summary>
    public Network? Managed(string name) => _store.Snapshot().GetJson(Prefix + name, ApiJsonContext.Wire.Network);

    public async Task CreateAsync(NetworksPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateName(request.Name);
        var type = request.Type.Length == 0 ? "bridge" : request.Type;
        if (type != "bridge")
        {
            throw type is "macvlan" or "sriov" or "ovn" or "physical"
                ? new ApiException(400, $"Network type \"{type}\" is not supported by this berthd yet (bridge only)")
                : new ApiException(400, $"Invalid network type \"{type}\"");
        }

        var config = new Dictionary<string, string>(request.Config ?? [], StringComparer.Ordinal);
        BridgeConfig.Validate(request.Name, config);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Managed(request.Name) is not null)
            {
                throw new ApiException(409, $"The network already exists");
            }

            if (HostNetworking.InterfaceExists(request.Name))
            {
                throw new ApiException(409, $"The network already exists (a host interface is called \"{request.Name}\")");
            }

            var inUse = await HostNetworking.IPv4InUseAsync(cancellationToken).ConfigureAwait(false);
            BridgeConfig.FillDefaults(config, inUse);
            CheckOverlap(request.Name, config, inUse);
            var network = new Network { Name = request.Name, Type = type, Description = request.Description, Config = config, Managed = true, Status = "Created", Locations = ["none"] };
            using var revert = new Reverter();
            var bridge = Bridge(network);

            // ApplyAsync undoes its own partial work; the whole bridge is ours to remove only once it succeeded.
            await bridge.ApplyAsync(restartDnsmasq: true, cancellationToken).ConfigureAwait(false);
            revert.Add(() => bridge.RemoveAsync(CancellationToken.None).GetAwaiter().GetResult());
            await _store.TransactionAsync(tx =>
            {
                if (tx.Get(Prefix + request.Name) is not null)
                {
                    throw new ApiException(409, "The network already exists");
                }

                tx.PutJson(Prefix + request.Name, network, ApiJsonContext.Wire.Network);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            revert.Success();
        }
        finally
        {
            _lock.Release();
        }

        _events.PublishLifecycle("network-created", Url(request.Name), requestor: requestor);
    }

    /// <summary>PUT replaces config and description; PATCH (<paramref name="merge"/>) keeps unnamed keys. The host follows.</summary>
    public async Task UpdateAsync(string name, NetworkPut request, bool merge, bool hasDescription, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = Managed(name) ?? throw NotManaged(name);
            ETag.Check(ifMatch, ETagOf(WithUsers(_store.Snapshot(), current)));
            var config = merge ? new Dictionary<string, string>(current.Config, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in request.Config ?? [])
            {
                config[key] = value;
            }

            foreach (var key in config.Where(kv => kv.Value.Length == 0).Select(kv => kv.Key).ToList())
            {
                config.Remove(key);
            }

            BridgeConfig.Validate(name, config);
            var inUse = (await HostNetworking.IPv4InUseAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.Device != name).ToList();
            BridgeConfig.FillDefaults(config, inUse);
            CheckOverlap(name, config, inUse);
            var updated = current with { Config = config, Description = merge && !hasDescription ? current.Description : request.Description };
            try
            {
                await Bridge(updated).ApplyAsync(restartDnsmasq: true, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await Bridge(current).ApplyAsync(restartDnsmasq: true, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            await _store.TransactionAsync(tx =>
            {
                tx.PutJson(Prefix + name, updated, ApiJsonContext.Wire.Network);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        _events.PublishLifecycle("network-updated", Url(name), requestor: requestor);
    }

    public async Task DeleteAsync(string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var network = WithUsers(_store.Snapshot(), Managed(name) ?? throw NotManaged(name));
            if (network.UsedBy is { Count: > 0 })
            {
                throw new ApiException(400, "The network is currently in use");
            }

            await Bridge(network).RemoveAsync(cancellationToken).ConfigureAwait(false);
            await _store.TransactionAsync(tx => tx.Delete(Prefix + name), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        _events.PublishLifecycle("network-deleted", Url(name), requestor: requestor);
    }

    /// <summary>Renames an unused network: the bridge link, its files and its firewall table follow.</summary>
    public async Task RenameAsync(string name, string newName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ValidateName(newName);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var network = WithUsers(_store.Snapshot(), Managed(name) ?? throw NotManaged(name));
            if (network.UsedBy is { Count: > 0 })
            {
                throw new ApiException(400, "The network is currently in use");
            }

            if (Managed(newName) is not null || HostNetworking.InterfaceExists(newName))
            {
                throw new ApiException(409, $"Network \"{newName}\" already exists");
            }

            var renamed = network with { Name = newName, UsedBy = [] };
            await Bridge(network).RemoveAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Bridge(renamed).ApplyAsync(restartDnsmasq: true, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await Bridge(renamed).RemoveAsync(CancellationToken.None).ConfigureAwait(false);
                await Bridge(network).ApplyAsync(restartDnsmasq: true, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            await _store.TransactionAsync(tx =>
            {
                tx.Delete(Prefix + name);
                tx.PutJson(Prefix + newName, renamed, ApiJsonContext.Wire.Network);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }

        _events.PublishLifecycle("network-renamed", Url(newName), requestor: requestor);
    }

    /// <summary>At daemon start: every managed bridge is brought back (after a reboot) and its dnsmasq adopted or restarted.</summary>
    public async Task StartAsync(Action<string, Exception> onFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onFailure);
        foreach (var (_, network) in _store.Snapshot().ListJson(Prefix, ApiJsonContext.Wire.Network).ToList())
        {
            try
            {
                await Bridge(network).ApplyAsync(restartDnsmasq: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ApiException or IOException or UnauthorizedAccessException)
            {
                onFailure(network.Name, e);
            }
        }
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ApiException(400, "No name provided");
        }

        if (ValueChecks.InterfaceName(name) is { } reason || name.StartsWith('-') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ApiException(400, $"Invalid network name \"{name}\": expected at most 15 letters, digits, '-', '_' or '.'");
        }
    }

    internal BridgeNetwork Bridge(Network network) => new(network.Name, network.Config, _paths.NetworkDir(network.Name));

    private static void CheckOverlap(string name, Dictionary<string, string> config, IReadOnlyList<HostSubnet> inUse)
    {
        if (BridgeConfig.Address(config) is not { } v4)
        {
            return;
        }

        if (inUse.FirstOrDefault(s => s.Net.Overlaps(v4.Subnet)) is { } clash)
        {
            throw new ApiException(400, $"Network \"{name}\": ipv4.address {v4} overlaps the host's {clash.What} {clash.Net} on \"{clash.Device}\"");
        }
    }

    private static ApiException NotManaged(string name) =>
        HostNetworking.InterfaceExists(name) ? new ApiException(400, $"Network \"{name}\" is not a managed network") : new ApiException(404, "Network not found");
}
