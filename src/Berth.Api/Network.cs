using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable fields of a network (api.NetworkPut).</summary>
public record NetworkPut
{
    [JsonPropertyName("config"), JsonPropertyOrder(0)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("description"), JsonPropertyOrder(1)] public string Description { get; set; } = "";
}

/// <summary>A network as returned by GET (api.Network); host interfaces are unmanaged, with null used_by and locations.</summary>
public sealed record Network : NetworkPut
{
    [JsonPropertyName("name"), JsonPropertyOrder(2)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(3)] public string Type { get; set; } = "";
    [JsonPropertyName("used_by"), JsonPropertyOrder(4)] public List<string>? UsedBy { get; set; } = [];
    [JsonPropertyName("managed"), JsonPropertyOrder(5)] public bool Managed { get; set; }
    [JsonPropertyName("status"), JsonPropertyOrder(6)] public string Status { get; set; } = "";
    [JsonPropertyName("locations"), JsonPropertyOrder(7)] public List<string>? Locations { get; set; }
}

/// <summary>POST /1.0/networks.</summary>
public sealed record NetworksPost : NetworkPut
{
    [JsonPropertyName("name"), JsonPropertyOrder(2)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(3)] public string Type { get; set; } = "";
}

/// <summary>POST /1.0/networks/{name}: rename.</summary>
public sealed record NetworkPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

/// <summary>GET /1.0/networks/{name}/state (api.NetworkState).</summary>
public sealed record NetworkState
{
    [JsonPropertyName("addresses")] public List<NetworkStateAddress> Addresses { get; set; } = [];
    [JsonPropertyName("counters")] public NetworkStateCounters Counters { get; set; } = new();
    [JsonPropertyName("hwaddr")] public string Hwaddr { get; set; } = "";
    [JsonPropertyName("mtu")] public int Mtu { get; set; }
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("bond")] public NetworkStateBond? Bond { get; set; }
    [JsonPropertyName("bridge")] public NetworkStateBridge? Bridge { get; set; }
    [JsonPropertyName("vlan")] public NetworkStateVlan? Vlan { get; set; }
    [JsonPropertyName("ovn")] public NetworkStateOvn? Ovn { get; set; }
}

public sealed record NetworkStateAddress
{
    [JsonPropertyName("family")] public string Family { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("netmask")] public string Netmask { get; set; } = "";
    [JsonPropertyName("scope")] public string Scope { get; set; } = "";
}

public sealed record NetworkStateCounters
{
    [JsonPropertyName("bytes_received")] public long BytesReceived { get; set; }
    [JsonPropertyName("bytes_sent")] public long BytesSent { get; set; }
    [JsonPropertyName("packets_received")] public long PacketsReceived { get; set; }
    [JsonPropertyName("packets_sent")] public long PacketsSent { get; set; }
}

public sealed record NetworkStateBridge
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("stp")] public bool Stp { get; set; }
    [JsonPropertyName("forward_delay")] public long ForwardDelay { get; set; }
    [JsonPropertyName("vlan_default")] public long VlanDefault { get; set; }
    [JsonPropertyName("vlan_filtering")] public bool VlanFiltering { get; set; }
    [JsonPropertyName("upper_devices")] public List<string> UpperDevices { get; set; } = [];
}

public sealed record NetworkStateBond
{
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";
    [JsonPropertyName("lower_devices")] public List<string> LowerDevices { get; set; } = [];
}

public sealed record NetworkStateVlan
{
    [JsonPropertyName("lower_device")] public string LowerDevice { get; set; } = "";
    [JsonPropertyName("vid")] public long Vid { get; set; }
}

public sealed record NetworkStateOvn
{
    [JsonPropertyName("chassis")] public string Chassis { get; set; } = "";
}

/// <summary>GET /1.0/networks/{name}/leases (api.NetworkLease).</summary>
public sealed record NetworkLease
{
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("hwaddr")] public string Hwaddr { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("location")] public string Location { get; set; } = "";
}
