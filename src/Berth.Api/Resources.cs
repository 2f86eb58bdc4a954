using System.Text.Json.Serialization;

namespace Berth.Api;

// GET /1.0/resources (LXD shared/api/resource.go). Fields are declared in LXD's order; Go's `omitempty`
// fields are nullable here and skipped when null, so readers set them to null instead of "" or 0.

/// <summary>The host's hardware as <c>GET /1.0/resources</c> reports it.</summary>
public sealed record Resources
{
    [JsonPropertyName("cpu")] public ResourcesCpu Cpu { get; set; } = new();
    [JsonPropertyName("memory")] public ResourcesMemory Memory { get; set; } = new();
    [JsonPropertyName("gpu")] public ResourcesGpu Gpu { get; set; } = new();
    [JsonPropertyName("network")] public ResourcesNetwork Network { get; set; } = new();
    [JsonPropertyName("storage")] public ResourcesStorage Storage { get; set; } = new();
    [JsonPropertyName("usb")] public ResourcesUsb Usb { get; set; } = new();
    [JsonPropertyName("pci")] public ResourcesPci Pci { get; set; } = new();
    [JsonPropertyName("system")] public ResourcesSystem System { get; set; } = new();
}

public sealed record ResourcesCpu
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("sockets")] public List<ResourcesCpuSocket> Sockets { get; set; } = [];
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesCpuSocket
{
    [JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("vendor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Vendor { get; set; }

    [JsonPropertyName("socket")] public ulong Socket { get; set; }

    [JsonPropertyName("cache"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ResourcesCpuCache>? Cache { get; set; }

    [JsonPropertyName("cores")] public List<ResourcesCpuCore> Cores { get; set; } = [];

    [JsonPropertyName("frequency"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Frequency { get; set; }

    [JsonPropertyName("frequency_minimum"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong FrequencyMinimum { get; set; }

    [JsonPropertyName("frequency_turbo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong FrequencyTurbo { get; set; }
}

public sealed record ResourcesCpuCache
{
    [JsonPropertyName("level")] public ulong Level { get; set; }
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("size")] public ulong Size { get; set; }
}

public sealed record ResourcesCpuCore
{
    [JsonPropertyName("core")] public ulong Core { get; set; }
    [JsonPropertyName("die")] public ulong Die { get; set; }
    [JsonPropertyName("threads")] public List<ResourcesCpuThread> Threads { get; set; } = [];

    [JsonPropertyName("frequency"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Frequency { get; set; }
}

public sealed record ResourcesCpuThread
{
    [JsonPropertyName("id")] public long Id { get; set; }
    [JsonPropertyName("numa_node")] public ulong NumaNode { get; set; }
    [JsonPropertyName("thread")] public ulong Thread { get; set; }
    [JsonPropertyName("online")] public bool Online { get; set; }
    [JsonPropertyName("isolated")] public bool Isolated { get; set; }
}

public sealed record ResourcesMemory
{
    [JsonPropertyName("nodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ResourcesMemoryNode>? Nodes { get; set; }

    [JsonPropertyName("hugepages_total")] public ulong HugepagesTotal { get; set; }
    [JsonPropertyName("hugepages_used")] public ulong HugepagesUsed { get; set; }
    [JsonPropertyName("hugepages_size")] public ulong HugepagesSize { get; set; }
    [JsonPropertyName("used")] public ulong Used { get; set; }
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesMemoryNode
{
    [JsonPropertyName("numa_node")] public ulong NumaNode { get; set; }
    [JsonPropertyName("hugepages_used")] public ulong HugepagesUsed { get; set; }
    [JsonPropertyName("hugepages_total")] public ulong HugepagesTotal { get; set; }
    [JsonPropertyName("used")] public ulong Used { get; set; }
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesGpu
{
    [JsonPropertyName("cards")] public List<ResourcesGpuCard> Cards { get; set; } = [];
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesGpuCard
{
    [JsonPropertyName("driver"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Driver { get; set; }

    [JsonPropertyName("driver_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DriverVersion { get; set; }

    [JsonPropertyName("drm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResourcesGpuCardDrm? Drm { get; set; }

    [JsonPropertyName("sriov"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResourcesGpuCardSriov? Sriov { get; set; }

    [JsonPropertyName("nvidia"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResourcesGpuCardNvidia? Nvidia { get; set; }

    [JsonPropertyName("mdev"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SortedDictionary<string, ResourcesGpuCardMdev>? Mdev { get; set; }

    [JsonPropertyName("numa_node")] public ulong NumaNode { get; set; }

    [JsonPropertyName("pci_address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PciAddress { get; set; }

    [JsonPropertyName("vendor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Vendor { get; set; }

    [JsonPropertyName("vendor_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VendorId { get; set; }

    [JsonPropertyName("product"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Product { get; set; }

    [JsonPropertyName("product_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProductId { get; set; }

    [JsonPropertyName("usb_address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UsbAddress { get; set; }
}

public sealed record ResourcesGpuCardDrm
{
    [JsonPropertyName("id")] public ulong Id { get; set; }
    [JsonPropertyName("card_name")] public string CardName { get; set; } = "";
    [JsonPropertyName("card_device")] public string CardDevice { get; set; } = "";

    [JsonPropertyName("control_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ControlName { get; set; }

    [JsonPropertyName("control_device"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ControlDevice { get; set; }

    [JsonPropertyName("render_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RenderName { get; set; }

    [JsonPropertyName("render_device"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RenderDevice { get; set; }
}

public sealed record ResourcesGpuCardSriov
{
    [JsonPropertyName("current_vfs")] public ulong CurrentVfs { get; set; }
    [JsonPropertyName("maximum_vfs")] public ulong MaximumVfs { get; set; }
    [JsonPropertyName("vfs")] public List<ResourcesGpuCard>? Vfs { get; set; }
}

public sealed record ResourcesGpuCardNvidia
{
    [JsonPropertyName("cuda_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CudaVersion { get; set; }

    [JsonPropertyName("nvrm_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NvrmVersion { get; set; }

    [JsonPropertyName("brand")] public string Brand { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";

    [JsonPropertyName("uuid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Uuid { get; set; }

    [JsonPropertyName("architecture"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Architecture { get; set; }

    [JsonPropertyName("card_name")] public string CardName { get; set; } = "";
    [JsonPropertyName("card_device")] public string CardDevice { get; set; } = "";
}

public sealed record ResourcesGpuCardMdev
{
    [JsonPropertyName("api")] public string Api { get; set; } = "";
    [JsonPropertyName("available")] public ulong Available { get; set; }

    [JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; set; }

    [JsonPropertyName("devices")] public List<string> Devices { get; set; } = [];
}

public sealed record ResourcesNetwork
{
    [JsonPropertyName("cards")] public List<ResourcesNetworkCard> Cards { get; set; } = [];
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesNetworkCard
{
    [JsonPropertyName("driver"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Driver { get; set; }

    [JsonPropertyName("driver_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DriverVersion { get; set; }

    [JsonPropertyName("ports"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ResourcesNetworkCardPort>? Ports { get; set; }

    [JsonPropertyName("sriov"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResourcesNetworkCardSriov? Sriov { get; set; }

    [JsonPropertyName("numa_node")] public ulong NumaNode { get; set; }

    [JsonPropertyName("pci_address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PciAddress { get; set; }

    [JsonPropertyName("vendor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Vendor { get; set; }

    [JsonPropertyName("vendor_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VendorId { get; set; }

    [JsonPropertyName("product"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Product { get; set; }

    [JsonPropertyName("product_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProductId { get; set; }

    [JsonPropertyName("firmware_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FirmwareVersion { get; set; }

    [JsonPropertyName("usb_address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UsbAddress { get; set; }
}

public sealed record ResourcesNetworkCardPort
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    [JsonPropertyName("address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Address { get; set; }

    [JsonPropertyName("port")] public ulong Port { get; set; }
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";

    [JsonPropertyName("supported_modes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? SupportedModes { get; set; }

    [JsonPropertyName("supported_ports"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? SupportedPorts { get; set; }

    [JsonPropertyName("port_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PortType { get; set; }

    [JsonPropertyName("transceiver_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TransceiverType { get; set; }

    [JsonPropertyName("auto_negotiation")] public bool AutoNegotiation { get; set; }
    [JsonPropertyName("link_detected")] public bool LinkDetected { get; set; }

    [JsonPropertyName("link_speed"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong LinkSpeed { get; set; }

    [JsonPropertyName("link_duplex"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LinkDuplex { get; set; }

    [JsonPropertyName("infiniband"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResourcesNetworkCardPortInfiniband? Infiniband { get; set; }
}

public sealed record ResourcesNetworkCardPortInfiniband
{
    [JsonPropertyName("issm_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IssmName { get; set; }

    [JsonPropertyName("issm_device"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IssmDevice { get; set; }

    [JsonPropertyName("mad_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MadName { get; set; }

    [JsonPropertyName("mad_device"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MadDevice { get; set; }

    [JsonPropertyName("verb_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VerbName { get; set; }

    [JsonPropertyName("verb_device"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? VerbDevice { get; set; }
}

public sealed record ResourcesNetworkCardSriov
{
    [JsonPropertyName("current_vfs")] public ulong CurrentVfs { get; set; }
    [JsonPropertyName("maximum_vfs")] public ulong MaximumVfs { get; set; }
    [JsonPropertyName("vfs")] public List<ResourcesNetworkCard>? Vfs { get; set; }
}

public sealed record ResourcesStorage
{
    [JsonPropertyName("disks")] public List<ResourcesStorageDisk> Disks { get; set; } = [];

    /// <summary>Disks plus their partitions, as LXD counts.</summary>
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesStorageDisk
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("device")] public string Device { get; set; } = "";

    [JsonPropertyName("model"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; set; }

    [JsonPropertyName("type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; set; }

    [JsonPropertyName("read_only")] public bool ReadOnly { get; set; }
    [JsonPropertyName("size")] public ulong Size { get; set; }
    [JsonPropertyName("removable")] public bool Removable { get; set; }

    [JsonPropertyName("wwn"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Wwn { get; set; }

    [JsonPropertyName("numa_node")] public ulong NumaNode { get; set; }

    [JsonPropertyName("device_path"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DevicePath { get; set; }

    [JsonPropertyName("block_size")] public ulong BlockSize { get; set; }

    [JsonPropertyName("firmware_version"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FirmwareVersion { get; set; }

    [JsonPropertyName("rpm")] public ulong Rpm { get; set; }

    [JsonPropertyName("serial"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Serial { get; set; }

    [JsonPropertyName("device_id")] public string DeviceId { get; set; } = "";
    [JsonPropertyName("partitions")] public List<ResourcesStorageDiskPartition> Partitions { get; set; } = [];

    [JsonPropertyName("pci_address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PciAddress { get; set; }

    [JsonPropertyName("usb_address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UsbAddress { get; set; }
}

public sealed record ResourcesStorageDiskPartition
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("device")] public string Device { get; set; } = "";
    [JsonPropertyName("read_only")] public bool ReadOnly { get; set; }
    [JsonPropertyName("size")] public ulong Size { get; set; }
    [JsonPropertyName("partition")] public ulong Partition { get; set; }
}

public sealed record ResourcesUsb
{
    [JsonPropertyName("devices")] public List<ResourcesUsbDevice> Devices { get; set; } = [];
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesUsbDevice
{
    [JsonPropertyName("bus_address")] public ulong BusAddress { get; set; }
    [JsonPropertyName("device_address")] public ulong DeviceAddress { get; set; }
    [JsonPropertyName("interfaces")] public List<ResourcesUsbDeviceInterface> Interfaces { get; set; } = [];
    [JsonPropertyName("vendor")] public string Vendor { get; set; } = "";
    [JsonPropertyName("vendor_id")] public string VendorId { get; set; } = "";
    [JsonPropertyName("product")] public string Product { get; set; } = "";
    [JsonPropertyName("product_id")] public string ProductId { get; set; } = "";
    [JsonPropertyName("speed")] public double Speed { get; set; }
}

public sealed record ResourcesUsbDeviceInterface
{
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("class_id")] public ulong ClassId { get; set; }
    [JsonPropertyName("driver")] public string Driver { get; set; } = "";
    [JsonPropertyName("driver_version")] public string DriverVersion { get; set; } = "";
    [JsonPropertyName("number")] public ulong Number { get; set; }
    [JsonPropertyName("subclass")] public string SubClass { get; set; } = "";
    [JsonPropertyName("subclass_id")] public ulong SubClassId { get; set; }
}

public sealed record ResourcesPci
{
    [JsonPropertyName("devices")] public List<ResourcesPciDevice> Devices { get; set; } = [];
    [JsonPropertyName("total")] public ulong Total { get; set; }
}

public sealed record ResourcesPciDevice
{
    [JsonPropertyName("driver")] public string Driver { get; set; } = "";
    [JsonPropertyName("driver_version")] public string DriverVersion { get; set; } = "";
    [JsonPropertyName("numa_node")] public ulong NumaNode { get; set; }
    [JsonPropertyName("pci_address")] public string PciAddress { get; set; } = "";
    [JsonPropertyName("vendor")] public string Vendor { get; set; } = "";
    [JsonPropertyName("vendor_id")] public string VendorId { get; set; } = "";
    [JsonPropertyName("product")] public string Product { get; set; } = "";
    [JsonPropertyName("product_id")] public string ProductId { get; set; } = "";
    [JsonPropertyName("iommu_group")] public ulong IommuGroup { get; set; }
    [JsonPropertyName("vpd")] public ResourcesPciVpd Vpd { get; set; } = new();
}

public sealed record ResourcesPciVpd
{
    [JsonPropertyName("product_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ProductName { get; set; }

    [JsonPropertyName("entries"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Entries { get; set; }
}

public sealed record ResourcesSystem
{
    [JsonPropertyName("uuid")] public string Uuid { get; set; } = "";
    [JsonPropertyName("vendor")] public string Vendor { get; set; } = "";
    [JsonPropertyName("product")] public string Product { get; set; } = "";
    [JsonPropertyName("family")] public string Family { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("sku")] public string Sku { get; set; } = "";
    [JsonPropertyName("serial")] public string Serial { get; set; } = "";

    /// <summary><c>physical</c>, <c>container</c>, <c>virtual-machine</c> or <c>unknown</c>.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";

    [JsonPropertyName("firmware")] public ResourcesSystemFirmware? Firmware { get; set; }
    [JsonPropertyName("chassis")] public ResourcesSystemChassis? Chassis { get; set; }
    [JsonPropertyName("motherboard")] public ResourcesSystemMotherboard? Motherboard { get; set; }
}

public sealed record ResourcesSystemFirmware
{
    [JsonPropertyName("vendor")] public string Vendor { get; set; } = "";
    [JsonPropertyName("date")] public string Date { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
}

public sealed record ResourcesSystemChassis
{
    [JsonPropertyName("vendor")] public string Vendor { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("serial")] public string Serial { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
}

public sealed record ResourcesSystemMotherboard
{
    [JsonPropertyName("vendor")] public string Vendor { get; set; } = "";
    [JsonPropertyName("product")] public string Product { get; set; } = "";
    [JsonPropertyName("serial")] public string Serial { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
}
