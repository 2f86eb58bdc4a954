using YamlDotNet.Serialization;

namespace Berth.Daemon.Init;

/// <summary>LXD's preseed document (<c>lxd init --preseed</c> / <c>--dump</c>).</summary>
internal sealed class Preseed
{
    [YamlMember(Alias = "config")]
    public Dictionary<string, string>? Config { get; set; }

    [YamlMember(Alias = "networks")]
    public List<Dictionary<string, object>>? Networks { get; set; }

    [YamlMember(Alias = "storage_pools")]
    public List<Dictionary<string, object>>? StoragePools { get; set; }

    [YamlMember(Alias = "storage_volumes")]
    public List<Dictionary<string, object>>? StorageVolumes { get; set; }

    [YamlMember(Alias = "profiles")]
    public List<PreseedProfile>? Profiles { get; set; }

    [YamlMember(Alias = "projects")]
    public List<Dictionary<string, object>>? Projects { get; set; }

    [YamlMember(Alias = "cluster")]
    public Dictionary<string, object>? Cluster { get; set; }
}

internal sealed class PreseedProfile
{
    [YamlMember(Alias = "name")]
    public string Name { get; set; } = "";

    [YamlMember(Alias = "description")]
    public string? Description { get; set; }

    [YamlMember(Alias = "config")]
    public Dictionary<string, string>? Config { get; set; }

    [YamlMember(Alias = "devices")]
    public Dictionary<string, Dictionary<string, string>>? Devices { get; set; }
}
