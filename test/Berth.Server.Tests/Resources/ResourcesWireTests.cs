using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Server.Tests.Resources;

public class ResourcesWireTests
{
    // The metadata of a real LXD 5.0.2 GET /1.0/resources on this kind of machine (shared reference sample),
    // with a gpu card, a usb device, a partition and DMI data added in LXD's field order.
    private const string Lxd502 = """{"cpu":{"architecture":"x86_64","sockets":[{"name":"AMD EPYC","vendor":"AuthenticAMD","socket":0,"cores":[{"core":0,"die":0,"threads":[{"id":0,"numa_node":0,"thread":0,"online":true,"isolated":false}]},{"core":1,"die":0,"threads":[{"id":1,"numa_node":0,"thread":0,"online":true,"isolated":false}]}]}],"total":2},"memory":{"nodes":[{"numa_node":0,"hugepages_used":0,"hugepages_total":0,"used":2475585536,"total":25769803776}],"hugepages_total":0,"hugepages_used":0,"hugepages_size":2097152,"used":944451584,"total":25769803776},"gpu":{"cards":[],"total":0},"network":{"cards":[{"driver":"virtio_net","driver_version":"6.18.44-fc-v769","ports":[{"id":"eth0","address":"02:fc:00:00:00:01","port":0,"protocol":"ethernet","port_type":"other","transceiver_type":"internal","auto_negotiation":false,"link_detected":true}],"numa_node":0,"pci_address":"0000:00:03.0","vendor_id":"1af4","product_id":"0001"}],"total":1},"storage":{"disks":[{"id":"vda","device":"254:0","type":"virtio","read_only":false,"size":274877906944,"removable":false,"numa_node":0,"block_size":0,"rpm":1,"device_id":"","partitions":[],"pci_address":"0000:00:02.0"}],"total":1},"usb":{"devices":[],"total":0},"pci":{"devices":[{"driver":"","driver_version":"","numa_node":0,"pci_address":"0000:00:00.0","vendor":"","vendor_id":"8086","product":"","product_id":"0d57","iommu_group":0,"vpd":{}},{"driver":"virtio-pci","driver_version":"6.18.44-fc-v769","numa_node":0,"pci_address":"0000:00:01.0","vendor":"","vendor_id":"1af4","product":"","product_id":"1045","iommu_group":0,"vpd":{}}],"total":6},"system":{"uuid":"","vendor":"","product":"","family":"","version":"","sku":"","serial":"","type":"container","firmware":null,"chassis":null,"motherboard":null}}""";

    private const string Extras = """{"cpu":{"architecture":"x86_64","sockets":[],"total":0},"memory":{"hugepages_total":0,"hugepages_used":0,"hugepages_size":0,"used":0,"total":0},"gpu":{"cards":[{"driver":"i915","driver_version":"5.8.0","drm":{"id":0,"card_name":"card0","card_device":"226:0","render_name":"renderD128","render_device":"226:128"},"numa_node":0,"pci_address":"0000:00:02.0","vendor_id":"8086","product_id":"5916"}],"total":1},"network":{"cards":[],"total":0},"storage":{"disks":[{"id":"sda","device":"8:0","model":"Samsung SSD","type":"scsi","read_only":false,"size":512110190592,"removable":false,"wwn":"0x5002538e40000000","numa_node":0,"block_size":512,"rpm":0,"serial":"S1234","device_id":"ata-Samsung_SSD","partitions":[{"id":"sda1","device":"8:1","read_only":false,"size":536870912,"partition":1}],"pci_address":"0000:00:17.0"}],"total":2},"usb":{"devices":[{"bus_address":1,"device_address":3,"interfaces":[{"class":"Human Interface Device","class_id":3,"driver":"usbhid","driver_version":"5.8.0","number":0,"subclass":"Boot Interface Subclass","subclass_id":1}],"vendor":"ATEN","vendor_id":"0557","product":"Mouse","product_id":"2221","speed":1.5}],"total":1},"pci":{"devices":[],"total":0},"system":{"uuid":"7fa1c0cc","vendor":"LENOVO","product":"20HRCTO1WW","family":"ThinkPad","version":"ThinkPad","sku":"LENOVO_MT_20HR","serial":"PY3DD4X9","type":"physical","firmware":{"vendor":"LENOVO","date":"10/14/2020","version":"N1MET64W (1.49)"},"chassis":{"vendor":"LENOVO","type":"Notebook","serial":"PY3DD4X9","version":"None"},"motherboard":{"vendor":"LENOVO","product":"20HRCTO1WW","serial":"L3CF4FX003A","version":"None"}}}""";

    [Theory]
    [InlineData(Lxd502)]
    [InlineData(Extras)]
    public void Resources_RoundTripsLxdJsonByteForByte(string json)
    {
        var resources = JsonSerializer.Deserialize(json, ResourcesJsonContext.Wire.Resources);

        Assert.Equal(json, JsonSerializer.Serialize(resources!, ResourcesJsonContext.Wire.Resources));
    }

    [Fact]
    public void Resources_OmitsEmptyOptionalFieldsLikeGo()
    {
        var json = JsonSerializer.Serialize(
            new ResourcesNetworkCard { Ports = null, PciAddress = null, Driver = "e1000e" },
            ResourcesJsonContext.Wire.ResourcesNetworkCard);

        Assert.Equal("""{"driver":"e1000e","numa_node":0}""", json);
    }
}
