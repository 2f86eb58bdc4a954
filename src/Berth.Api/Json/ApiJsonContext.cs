using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Json;

/// <summary>Source-generated serialisation for every wire type: compact, exact names, sorted maps.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(SortedStringMapConverter), typeof(SortedDeviceMapConverter), typeof(GoTimeConverter)])]
[JsonSerializable(typeof(ResponseRaw))]
[JsonSerializable(typeof(Server))]
[JsonSerializable(typeof(ServerUntrusted))]
[JsonSerializable(typeof(ServerPut))]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(ProfilePut))]
[JsonSerializable(typeof(ProfilesPost))]
[JsonSerializable(typeof(ProfilePost))]
[JsonSerializable(typeof(List<Profile>))]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(List<Operation>))]
[JsonSerializable(typeof(Dictionary<string, List<Operation>>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(EventLifecycle))]
[JsonSerializable(typeof(EventLogging))]
[JsonSerializable(typeof(Certificate))]
[JsonSerializable(typeof(CertificatePut))]
[JsonSerializable(typeof(List<Certificate>))]
[JsonSerializable(typeof(CertificatesPost))]
[JsonSerializable(typeof(CertificateAddToken))]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(ProjectPut))]
[JsonSerializable(typeof(List<Project>))]
[JsonSerializable(typeof(Warning))]
[JsonSerializable(typeof(List<Warning>))]
[JsonSerializable(typeof(Image))]
[JsonSerializable(typeof(ImagePut))]
[JsonSerializable(typeof(List<Image>))]
[JsonSerializable(typeof(ImagesPost))]
[JsonSerializable(typeof(ImageAliasesEntry))]
[JsonSerializable(typeof(ImageAliasesEntryPut))]
[JsonSerializable(typeof(List<ImageAliasesEntry>))]
[JsonSerializable(typeof(ImageAliasesPost))]
[JsonSerializable(typeof(ImageAliasesEntryPost))]
[JsonSerializable(typeof(Instance))]
[JsonSerializable(typeof(InstancePut))]
[JsonSerializable(typeof(InstanceFull))]
[JsonSerializable(typeof(List<Instance>))]
[JsonSerializable(typeof(List<InstanceFull>))]
[JsonSerializable(typeof(InstanceState))]
[JsonSerializable(typeof(InstancesPost))]
[JsonSerializable(typeof(InstanceStatePut))]
[JsonSerializable(typeof(InstancePost))]
[JsonSerializable(typeof(InstanceExecPost))]
[JsonSerializable(typeof(InstanceExecControl))]
[JsonSerializable(typeof(InstanceConsolePost))]
[JsonSerializable(typeof(InstanceMetadata))]
[JsonSerializable(typeof(StoragePool))]
[JsonSerializable(typeof(StoragePoolPut))]
[JsonSerializable(typeof(StoragePoolsPost))]
[JsonSerializable(typeof(List<StoragePool>))]
[JsonSerializable(typeof(StoragePoolResources))]
[JsonSerializable(typeof(StorageVolume))]
[JsonSerializable(typeof(StorageVolumeState))]
[JsonSerializable(typeof(InstanceBackup))]
[JsonSerializable(typeof(List<InstanceBackup>))]
[JsonSerializable(typeof(InstanceBackupsPost))]
[JsonSerializable(typeof(InstanceBackupPost))]
[JsonSerializable(typeof(BackupConfig))]
[JsonSerializable(typeof(StorageVolumePut))]
[JsonSerializable(typeof(List<StorageVolume>))]
[JsonSerializable(typeof(StorageVolumesPost))]
[JsonSerializable(typeof(StorageVolumePost))]
[JsonSerializable(typeof(StorageVolumeSnapshot))]
[JsonSerializable(typeof(List<StorageVolumeSnapshot>))]
[JsonSerializable(typeof(StorageVolumeSnapshotsPost))]
[JsonSerializable(typeof(Network))]
[JsonSerializable(typeof(NetworkPut))]
[JsonSerializable(typeof(NetworksPost))]
[JsonSerializable(typeof(NetworkPost))]
[JsonSerializable(typeof(List<Network>))]
[JsonSerializable(typeof(NetworkState))]
[JsonSerializable(typeof(List<NetworkLease>))]
[JsonSerializable(typeof(InstanceSnapshot))]
[JsonSerializable(typeof(InstanceSnapshotPut))]
[JsonSerializable(typeof(List<InstanceSnapshot>))]
[JsonSerializable(typeof(InstanceSnapshotsPost))]
[JsonSerializable(typeof(InstanceSnapshotPost))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(List<JsonElement>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(DateTimeOffset))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
    private static readonly Lazy<ApiJsonContext> RelaxedInstance = new(() => new ApiJsonContext(new JsonSerializerOptions
    {
        // Readable UTF-8 like Go's encoder; only what JSON requires is escaped.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        Converters = { new SortedStringMapConverter(), new SortedDeviceMapConverter(), new GoTimeConverter() },
    }));

    /// <summary>The context every component uses.</summary>
    public static ApiJsonContext Wire => RelaxedInstance.Value;
}
