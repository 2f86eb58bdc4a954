using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable fields of an instance (PUT body; <c>restore</c> triggers a snapshot restore).</summary>
public record InstancePut
{
    [JsonPropertyName("architecture"), JsonPropertyOrder(0)] public string Architecture { get; set; } = "";
    [JsonPropertyName("config"), JsonPropertyOrder(1)] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("devices"), JsonPropertyOrder(2)] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
    [JsonPropertyName("ephemeral"), JsonPropertyOrder(3)] public bool Ephemeral { get; set; }
    [JsonPropertyName("profiles"), JsonPropertyOrder(4)] public List<string> Profiles { get; set; } = [];
    [JsonPropertyName("stateful"), JsonPropertyOrder(5)] public bool Stateful { get; set; }
    [JsonPropertyName("description"), JsonPropertyOrder(6)] public string Description { get; set; } = "";
    [JsonPropertyName("restore"), JsonPropertyOrder(7), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Restore { get; set; }
}

/// <summary>An instance as returned by GET (api.Instance).</summary>
public record Instance : InstancePut
{
    [JsonPropertyName("created_at"), JsonPropertyOrder(8)] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyName("expanded_config"), JsonPropertyOrder(9)] public Dictionary<string, string> ExpandedConfig { get; set; } = [];
    [JsonPropertyName("expanded_devices"), JsonPropertyOrder(10)] public Dictionary<string, Dictionary<string, string>> ExpandedDevices { get; set; } = [];
    [JsonPropertyName("name"), JsonPropertyOrder(11)] public string Name { get; set; } = "";
    [JsonPropertyName("status"), JsonPropertyOrder(12)] public string Status { get; set; } = "Stopped";
    [JsonPropertyName("status_code"), JsonPropertyOrder(13)] public int StatusCode { get; set; } = Api.StatusCode.Stopped;
    [JsonPropertyName("last_used_at"), JsonPropertyOrder(14)] public DateTimeOffset LastUsedAt { get; set; } = DateTimeOffset.MinValue;
    [JsonPropertyName("location"), JsonPropertyOrder(15)] public string Location { get; set; } = "none";
    [JsonPropertyName("type"), JsonPropertyOrder(16)] public string Type { get; set; } = "container";
    [JsonPropertyName("project"), JsonPropertyOrder(17)] public string Project { get; set; } = "default";
}

/// <summary><c>recursion=2</c>: the instance with its state, snapshots and backups (api.InstanceFull).</summary>
public sealed record InstanceFull : Instance
{
    [JsonPropertyName("backups"), JsonPropertyOrder(18)] public List<JsonElement>? Backups { get; set; }
    [JsonPropertyName("state"), JsonPropertyOrder(19)] public InstanceState? State { get; set; }
    [JsonPropertyName("snapshots"), JsonPropertyOrder(20)] public List<JsonElement>? Snapshots { get; set; }
}

/// <summary>GET /1.0/instances/{name}/state.</summary>
public sealed record InstanceState
{
    [JsonPropertyName("status")] public string Status { get; set; } = "Stopped";
    [JsonPropertyName("status_code")] public int StatusCode { get; set; } = Api.StatusCode.Stopped;
    [JsonPropertyName("disk")] public Dictionary<string, InstanceStateDisk> Disk { get; set; } = [];
    [JsonPropertyName("memory")] public InstanceStateMemory Memory { get; set; } = new();
    [JsonPropertyName("network")] public Dictionary<string, InstanceStateNetwork>? Network { get; set; }
    [JsonPropertyName("pid")] public long Pid { get; set; }
    [JsonPropertyName("processes")] public long Processes { get; set; }
    [JsonPropertyName("cpu")] public InstanceStateCpu Cpu { get; set; } = new();
}

public sealed record InstanceStateDisk
{
    [JsonPropertyName("usage")] public long Usage { get; set; }
}

public sealed record InstanceStateMemory
{
    [JsonPropertyName("usage")] public long Usage { get; set; }
    [JsonPropertyName("usage_peak")] public long UsagePeak { get; set; }
    [JsonPropertyName("swap_usage")] public long SwapUsage { get; set; }
    [JsonPropertyName("swap_usage_peak")] public long SwapUsagePeak { get; set; }
}

public sealed record InstanceStateCpu
{
    [JsonPropertyName("usage")] public long Usage { get; set; }
}

public sealed record InstanceStateNetwork
{
    [JsonPropertyName("addresses")] public List<InstanceStateNetworkAddress> Addresses { get; set; } = [];
    [JsonPropertyName("counters")] public InstanceStateNetworkCounters Counters { get; set; } = new();
    [JsonPropertyName("hwaddr")] public string Hwaddr { get; set; } = "";
    [JsonPropertyName("host_name")] public string HostName { get; set; } = "";
    [JsonPropertyName("mtu")] public int Mtu { get; set; }
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
}

public sealed record InstanceStateNetworkAddress
{
    [JsonPropertyName("family")] public string Family { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("netmask")] public string Netmask { get; set; } = "";
    [JsonPropertyName("scope")] public string Scope { get; set; } = "";
}

public sealed record InstanceStateNetworkCounters
{
    [JsonPropertyName("bytes_received")] public long BytesReceived { get; set; }
    [JsonPropertyName("bytes_sent")] public long BytesSent { get; set; }
    [JsonPropertyName("packets_received")] public long PacketsReceived { get; set; }
    [JsonPropertyName("packets_sent")] public long PacketsSent { get; set; }
    [JsonPropertyName("errors_received")] public long ErrorsReceived { get; set; }
    [JsonPropertyName("errors_sent")] public long ErrorsSent { get; set; }
    [JsonPropertyName("packets_dropped_outbound")] public long PacketsDroppedOutbound { get; set; }
    [JsonPropertyName("packets_dropped_inbound")] public long PacketsDroppedInbound { get; set; }
}

/// <summary>POST /1.0/instances.</summary>
public sealed record InstancesPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("source")] public InstanceSource Source { get; set; } = new();
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string>? Config { get; set; }
    [JsonPropertyName("devices")] public Dictionary<string, Dictionary<string, string>>? Devices { get; set; }
    [JsonPropertyName("ephemeral")] public bool Ephemeral { get; set; }
    [JsonPropertyName("profiles")] public List<string>? Profiles { get; set; }
    [JsonPropertyName("stateful")] public bool Stateful { get; set; }
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("instance_type")] public string InstanceType { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("start")] public bool Start { get; set; }
}

public sealed record InstanceSource
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("alias")] public string Alias { get; set; } = "";
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("properties")] public Dictionary<string, string>? Properties { get; set; }
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";
    [JsonPropertyName("image_type")] public string ImageType { get; set; } = "";
    [JsonPropertyName("mode")] public string Mode { get; set; } = "";
    [JsonPropertyName("source")] public string SourceName { get; set; } = "";
    [JsonPropertyName("instance_only")] public bool InstanceOnly { get; set; }
    [JsonPropertyName("refresh")] public bool Refresh { get; set; }
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("base-image")] public string BaseImage { get; set; } = "";
    [JsonPropertyName("operation")] public string Operation { get; set; } = "";
    [JsonPropertyName("secrets"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Websockets { get; set; }
    [JsonPropertyName("live")] public bool Live { get; set; }
    [JsonPropertyName("container_only")] public bool ContainerOnly { get; set; }
    [JsonPropertyName("allow_inconsistent")] public bool AllowInconsistent { get; set; }
}

/// <summary>PUT /1.0/instances/{name}/state.</summary>
public sealed record InstanceStatePut
{
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("timeout")] public int Timeout { get; set; }
    [JsonPropertyName("force")] public bool Force { get; set; }
    [JsonPropertyName("stateful")] public bool Stateful { get; set; }
}

/// <summary>POST /1.0/instances/{name}: rename, move to another pool, or the source side of a migration.</summary>
public sealed record InstancePost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("migration")] public bool Migration { get; set; }
    [JsonPropertyName("live")] public bool Live { get; set; }
    [JsonPropertyName("pool")] public string Pool { get; set; } = "";
    [JsonPropertyName("instance_only")] public bool InstanceOnly { get; set; }
    [JsonPropertyName("container_only")] public bool ContainerOnly { get; set; }
    [JsonPropertyName("allow_inconsistent")] public bool AllowInconsistent { get; set; }
    [JsonPropertyName("target"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public InstancePostTarget? Target { get; set; }
}

/// <summary>Push mode: the target's migration operation the source connects to.</summary>
public sealed record InstancePostTarget
{
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("operation")] public string Operation { get; set; } = "";
    [JsonPropertyName("secrets"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Websockets { get; set; }
}

/// <summary>POST /1.0/instances/{name}/exec.</summary>
public sealed record InstanceExecPost
{
    [JsonPropertyName("command")] public List<string> Command { get; set; } = [];
    [JsonPropertyName("environment")] public Dictionary<string, string>? Environment { get; set; }
    [JsonPropertyName("interactive")] public bool Interactive { get; set; }
    [JsonPropertyName("wait-for-websocket")] public bool WaitForWebsocket { get; set; }
    [JsonPropertyName("record-output")] public bool RecordOutput { get; set; }
    [JsonPropertyName("width")] public int Width { get; set; }
    [JsonPropertyName("height")] public int Height { get; set; }
    [JsonPropertyName("user")] public uint User { get; set; }
    [JsonPropertyName("group")] public uint Group { get; set; }
    [JsonPropertyName("cwd")] public string Cwd { get; set; } = "";
}

/// <summary>A message on an exec or console control websocket.</summary>
public sealed record InstanceExecControl
{
    [JsonPropertyName("command")] public string Command { get; set; } = "";
    [JsonPropertyName("args")] public Dictionary<string, string>? Args { get; set; }
    [JsonPropertyName("signal")] public int Signal { get; set; }
}
