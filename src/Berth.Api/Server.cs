using System.Text.Json.Serialization;

namespace Berth.Api;

/// <summary>The writable part of <c>/1.0</c>.</summary>
public record ServerPut
{
    [JsonPropertyName("config"), JsonPropertyOrder(-10)]
    public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>What an untrusted caller sees of <c>/1.0</c>.</summary>
public record ServerUntrusted
{
    [JsonPropertyName("api_extensions"), JsonPropertyOrder(1)] public List<string> ApiExtensions { get; set; } = [];
    [JsonPropertyName("api_status"), JsonPropertyOrder(2)] public string ApiStatus { get; set; } = "stable";
    [JsonPropertyName("api_version"), JsonPropertyOrder(3)] public string ApiVersion { get; set; } = "1.0";
    [JsonPropertyName("auth"), JsonPropertyOrder(4)] public string Auth { get; set; } = "untrusted";
    [JsonPropertyName("public"), JsonPropertyOrder(5)] public bool Public { get; set; }
    [JsonPropertyName("auth_methods"), JsonPropertyOrder(6)] public List<string> AuthMethods { get; set; } = ["tls"];
}

/// <summary>The full <c>GET /1.0</c> answer for a trusted caller.</summary>
public sealed record Server : ServerUntrusted
{
    [JsonPropertyName("config"), JsonPropertyOrder(0)]
    public Dictionary<string, string> Config { get; set; } = [];

    [JsonPropertyName("environment"), JsonPropertyOrder(7)]
    public ServerEnvironment Environment { get; set; } = new();
}

public sealed record ServerEnvironment
{
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("architectures")] public List<string> Architectures { get; set; } = [];
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("certificate_fingerprint")] public string CertificateFingerprint { get; set; } = "";
    [JsonPropertyName("driver")] public string Driver { get; set; } = "lxc";
    [JsonPropertyName("driver_version")] public string DriverVersion { get; set; } = "";
    [JsonPropertyName("firewall")] public string Firewall { get; set; } = "nftables";
    [JsonPropertyName("kernel")] public string Kernel { get; set; } = "Linux";
    [JsonPropertyName("kernel_architecture")] public string KernelArchitecture { get; set; } = "";
    [JsonPropertyName("kernel_features")] public Dictionary<string, string> KernelFeatures { get; set; } = [];
    [JsonPropertyName("kernel_version")] public string KernelVersion { get; set; } = "";
    [JsonPropertyName("lxc_features")] public Dictionary<string, string> LxcFeatures { get; set; } = [];
    [JsonPropertyName("os_name")] public string OsName { get; set; } = "";
    [JsonPropertyName("os_version")] public string OsVersion { get; set; } = "";
    [JsonPropertyName("project")] public string Project { get; set; } = "default";
    [JsonPropertyName("server")] public string Server { get; set; } = "lxd";
    [JsonPropertyName("server_clustered")] public bool ServerClustered { get; set; }
    [JsonPropertyName("server_event_mode")] public string ServerEventMode { get; set; } = "full-mesh";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("server_pid")] public int ServerPid { get; set; }
    [JsonPropertyName("server_version")] public string ServerVersion { get; set; } = "";
    [JsonPropertyName("storage")] public string Storage { get; set; } = "";
    [JsonPropertyName("storage_version")] public string StorageVersion { get; set; } = "";
    [JsonPropertyName("storage_supported_drivers")] public List<ServerStorageDriverInfo> StorageSupportedDrivers { get; set; } = [];
}

/// <summary>LXD serialises this struct without json tags, hence the capitalised names.</summary>
public sealed record ServerStorageDriverInfo
{
    [JsonPropertyName("Name")] public string Name { get; set; } = "";
    [JsonPropertyName("Version")] public string Version { get; set; } = "";
    [JsonPropertyName("Remote")] public bool Remote { get; set; }
}
