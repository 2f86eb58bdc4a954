using Berth.Server.Resources;

namespace Berth.Server.Tests.Resources;

public sealed class HostResourcesTests : IDisposable
{
    private const string Cpuinfo = """
        processor	: 0
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) Test 1
        physical id	: 0

        processor	: 1
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) Test 1
        physical id	: 0

        processor	: 2
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) Test 1
        physical id	: 0

        processor	: 3
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC Test 2
        physical id	: 1
        """;

    private readonly FakeHostTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private FakeHostTree Cpu(int id, int package, int core, int node, string? online = null)
    {
        var dir = $"sys/devices/system/cpu/cpu{id}";
        _tree.File($"{dir}/topology/physical_package_id", $"{package}")
            .File($"{dir}/topology/core_id", $"{core}")
            .File($"{dir}/topology/die_id", "0")
            .Link($"{dir}/node{node}", $"../../node/node{node}");
        if (online is not null)
        {
            _tree.File($"{dir}/online", online);
        }

        return _tree;
    }

    [Fact]
    public void ReadCpu_GroupsThreadsIntoCoresAndSockets()
    {
        _tree.File("proc/cpuinfo", Cpuinfo).File("sys/devices/system/cpu/isolated", "2").File("sys/devices/system/cpu/online", "0-2");
        Cpu(0, package: 0, core: 0, node: 0);
        Cpu(1, package: 0, core: 0, node: 0, online: "1");
        Cpu(2, package: 0, core: 1, node: 0);
        Cpu(3, package: 1, core: 0, node: 1, online: "0");
        _tree.File("sys/devices/system/cpu/cpu0/cache/index0/level", "1")
            .File("sys/devices/system/cpu/cpu0/cache/index0/size", "32K")
            .File("sys/devices/system/cpu/cpu0/cache/index0/type", "Data")
            .File("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3500000")
            .File("sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2000000")
            .File("sys/devices/system/cpu/cpu2/cpufreq/scaling_cur_freq", "3000000");

        var cpu = _tree.Read().Cpu;

        Assert.Equal(4UL, cpu.Total);
        Assert.Equal([0UL, 1UL], cpu.Sockets.Select(s => s.Socket));
        var first = cpu.Sockets[0];
        Assert.Equal("Intel(R) Xeon(R) Test 1", first.Name);
        Assert.Equal("GenuineIntel", first.Vendor);
        Assert.Equal([0UL, 1UL], first.Cores.Select(c => c.Core));
        Assert.Equal([0L, 1L], first.Cores[0].Threads.Select(t => t.Id));
        Assert.Equal([0UL, 1UL], first.Cores[0].Threads.Select(t => t.Thread));
        Assert.True(first.Cores[1].Threads[0].Isolated);
        Assert.False(first.Cores[0].Threads[0].Isolated);
        Assert.Equal(3500UL, first.FrequencyTurbo);
        Assert.Equal(2500UL, first.Frequency);
        var cache = Assert.Single(first.Cache!);
        Assert.Equal((1UL, "Data", 32768UL), (cache.Level, cache.Type, cache.Size));

        var second = cpu.Sockets[1];
        Assert.Equal("AMD EPYC Test 2", second.Name);
        Assert.Equal("AuthenticAMD", second.Vendor);
        var offline = Assert.Single(Assert.Single(second.Cores).Threads);
        Assert.False(offline.Online);
        Assert.Equal(1UL, offline.NumaNode);
        Assert.Null(second.Cache);
    }

    [Fact]
    public void ReadCpu_OrdersCpusNumerically()
    {
        _tree.File("proc/cpuinfo", Cpuinfo);
        foreach (var id in new[] { 10, 2, 1 })
        {
            Cpu(id, package: 0, core: 0, node: 0);
        }

        var threads = Assert.Single(Assert.Single(_tree.Read().Cpu.Sockets).Cores).Threads;

        Assert.Equal([1L, 2L, 10L], threads.Select(t => t.Id));
        Assert.Equal([0UL, 1UL, 2UL], threads.Select(t => t.Thread));
    }

    [Fact]
    public void ReadMemory_FromMeminfoAndNodes()
    {
        _tree.File("proc/meminfo", """
            MemTotal:        2048000 kB
            MemFree:         1024000 kB
            Buffers:            1000 kB
            Cached:           100000 kB
            HugePages_Total:       4
            HugePages_Free:        1
            Hugepagesize:       2048 kB
            """)
            .File("sys/devices/system/node/node0/meminfo", """
            Node 0 MemTotal:        2048000 kB
            Node 0 MemFree:         1024000 kB
            Node 0 MemUsed:         1024000 kB
            Node 0 HugePages_Total:     4
            Node 0 HugePages_Free:      1
            """);

        var memory = _tree.Read().Memory;

        Assert.Equal(2048000UL * 1024, memory.Total);
        Assert.Equal((2048000UL - 1024000 - 1000 - 100000) * 1024, memory.Used);
        Assert.Equal(2097152UL, memory.HugepagesSize);
        Assert.Equal(4UL * 2097152, memory.HugepagesTotal);
        Assert.Equal(3UL * 2097152, memory.HugepagesUsed);
        var node = Assert.Single(memory.Nodes!);
        Assert.Equal((0UL, 1024000UL * 1024, 2048000UL * 1024), (node.NumaNode, node.Used, node.Total));
        Assert.Equal(3UL * 2097152, node.HugepagesUsed);
    }

    [Fact]
    public void ReadMemory_CountsOnlineMemoryBlocksLikeLxd()
    {
        _tree.File("proc/meminfo", "MemTotal: 200000 kB\nMemFree: 100000 kB")
            .File("sys/devices/system/memory/block_size_bytes", "8000000")
            .File("sys/devices/system/memory/memory0/online", "1")
            .File("sys/devices/system/memory/memory1/online", "1")
            .File("sys/devices/system/memory/memory2/online", "0")
            .File("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 200000 kB\nNode 0 MemUsed: 1 kB")
            .Link("sys/devices/system/node/node0/memory0", "../../memory/memory0");

        var memory = _tree.Read().Memory;

        Assert.Equal(2UL * 128 * 1024 * 1024, memory.Total);
        Assert.Equal(128UL * 1024 * 1024, Assert.Single(memory.Nodes!).Total);
    }

    [Fact]
    public void ReadNetwork_ReportsPhysicalCardsOnly()
    {
        const string Pci = "sys/devices/pci0000:00/0000:00:03.0";
        _tree.File("proc/sys/kernel/osrelease", "6.1.0-test")
            .File($"{Pci}/numa_node", "-1")
            .File($"{Pci}/virtio2/vendor", "0x1af4")
            .File($"{Pci}/virtio2/device", "0x0001")
            .Dir("sys/bus/virtio/drivers/virtio_net")
            .Link($"{Pci}/virtio2/driver", "../../../../bus/virtio/drivers/virtio_net")
            .File($"{Pci}/virtio2/net/eth0/address", "02:fc:00:00:00:01")
            .File($"{Pci}/virtio2/net/eth0/carrier", "1")
            .File($"{Pci}/virtio2/net/eth0/type", "1")
            .File($"{Pci}/virtio2/net/eth0/dev_port", "0")
            .File($"{Pci}/virtio2/net/eth0/speed", "1000")
            .File($"{Pci}/virtio2/net/eth0/duplex", "full")
            .Link($"{Pci}/virtio2/net/eth0/device", "../../../virtio2")
            .Link("sys/class/net/eth0", "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0")
            .File("sys/devices/virtual/net/lo/address", "00:00:00:00:00:00")
            .Link("sys/class/net/lo", "../../devices/virtual/net/lo");

        var network = _tree.Read().Network;

        var card = Assert.Single(network.Cards);
        Assert.Equal(1UL, network.Total);
        Assert.Equal(("virtio_net", "6.1.0-test"), (card.Driver, card.DriverVersion));
        Assert.Equal(("0000:00:03.0", "1af4", "0001"), (card.PciAddress, card.VendorId, card.ProductId));
        Assert.Equal(0UL, card.NumaNode);
        var port = Assert.Single(card.Ports!);
        Assert.Equal(("eth0", "02:fc:00:00:00:01", "ethernet"), (port.Id, port.Address, port.Protocol));
        Assert.True(port.LinkDetected);
        Assert.Equal((1000UL, "full"), (port.LinkSpeed, port.LinkDuplex));
    }

    [Fact]
    public void ReadStorage_ReadsDisksAndPartitionsAndSkipsEmptyLoopDevices()
    {
        const string Virtio = "sys/devices/pci0000:00/0000:00:02.0/virtio1";
        _tree.Dir("sys/bus/virtio")
            .Link($"{Virtio}/subsystem", "../../../../bus/virtio")
            .File($"{Virtio}/block/vda/dev", "254:0")
            .File($"{Virtio}/block/vda/size", "2048")
            .File($"{Virtio}/block/vda/ro", "0")
            .File($"{Virtio}/block/vda/removable", "0")
            .File($"{Virtio}/block/vda/queue/rotational", "0")
            .Link($"{Virtio}/block/vda/device", "../../../virtio1")
            .File($"{Virtio}/block/vda/vda1/partition", "1")
            .File($"{Virtio}/block/vda/vda1/dev", "254:1")
            .File($"{Virtio}/block/vda/vda1/size", "1024")
            .File($"{Virtio}/block/vda/vda1/ro", "1")
            .Link("sys/block/vda", "../devices/pci0000:00/0000:00:02.0/virtio1/block/vda")
            .File("sys/devices/virtual/block/loop0/size", "0")
            .Link("sys/block/loop0", "../devices/virtual/block/loop0")
            .File("sys/devices/virtual/block/zram0/size", "0")
            .Link("sys/block/zram0", "../devices/virtual/block/zram0");

        var storage = _tree.Read().Storage;

        var disk = Assert.Single(storage.Disks);
        Assert.Equal(2UL, storage.Total);
        Assert.Equal(("vda", "254:0", "virtio"), (disk.Id, disk.Device, disk.Type));
        Assert.Equal(2048UL * 512, disk.Size);
        Assert.False(disk.ReadOnly);
        Assert.Equal(0UL, disk.Rpm);
        Assert.Equal("0000:00:02.0", disk.PciAddress);
        var partition = Assert.Single(disk.Partitions);
        Assert.Equal(("vda1", "254:1", 1UL, 1024UL * 512, true), (partition.Id, partition.Device, partition.Partition, partition.Size, partition.ReadOnly));
    }

    [Fact]
    public void ReadPci_ReadsIdsDriverModuleVersionAndIommuGroup()
    {
        const string Dev = "sys/devices/pci0000:00/0000:00:02.0";
        _tree.File($"{Dev}/vendor", "0x8086")
            .File($"{Dev}/device", "0x5916")
            .File($"{Dev}/numa_node", "1")
            .File("sys/module/i915/version", "1.2.3")
            .Link("sys/bus/pci/drivers/i915/module", "../../../../module/i915")
            .Link($"{Dev}/driver", "../../../bus/pci/drivers/i915")
            .Dir("sys/kernel/iommu_groups/7")
            .Link($"{Dev}/iommu_group", "../../../kernel/iommu_groups/7")
            .File("sys/devices/pci0000:00/0000:00:1f.0/vendor", "0x8086")
            .Link("sys/bus/pci/devices/0000:00:02.0", "../../../devices/pci0000:00/0000:00:02.0")
            .Link("sys/bus/pci/devices/0000:00:1f.0", "../../../devices/pci0000:00/0000:00:1f.0");

        var pci = _tree.Read().Pci;

        Assert.Equal(2UL, pci.Total);
        var gpu = pci.Devices[0];
        Assert.Equal(("0000:00:02.0", "8086", "5916"), (gpu.PciAddress, gpu.VendorId, gpu.ProductId));
        Assert.Equal(("i915", "1.2.3"), (gpu.Driver, gpu.DriverVersion));
        Assert.Equal((1UL, 7UL), (gpu.NumaNode, gpu.IommuGroup));
        var bridge = pci.Devices[1];
        Assert.Equal(("", "", ""), (bridge.Driver, bridge.DriverVersion, bridge.ProductId));
    }

    [Fact]
    public void ReadUsb_ReadsDevicesWithInterfacesAndSkipsRootHubs()
    {
        const string Hub = "sys/devices/pci0000:00/0000:00:14.0/usb1";
        _tree.File($"{Hub}/busnum", "1")
            .File($"{Hub}/1-1/busnum", "1")
            .File($"{Hub}/1-1/devnum", "3")
            .File($"{Hub}/1-1/idVendor", "0557")
            .File($"{Hub}/1-1/idProduct", "2221")
            .File($"{Hub}/1-1/manufacturer", "ATEN")
            .File($"{Hub}/1-1/product", "Hermon USB hidmouse Device")
            .File($"{Hub}/1-1/speed", "1.5")
            .File($"{Hub}/1-1/1-1:1.0/bInterfaceClass", "03")
            .File($"{Hub}/1-1/1-1:1.0/bInterfaceSubClass", "01")
            .File($"{Hub}/1-1/1-1:1.0/bInterfaceNumber", "0a")
            .Dir("sys/bus/usb/drivers/usbhid")
            .Link($"{Hub}/1-1/1-1:1.0/driver", "../../../../../../bus/usb/drivers/usbhid")
            .Link("sys/bus/usb/devices/usb1", "../../../devices/pci0000:00/0000:00:14.0/usb1")
            .Link("sys/bus/usb/devices/1-1", "../../../devices/pci0000:00/0000:00:14.0/usb1/1-1")
            .Link("sys/bus/usb/devices/1-1:1.0", "../../../devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0")
            .File("proc/sys/kernel/osrelease", "6.1.0-test");

        var usb = _tree.Read().Usb;

        var device = Assert.Single(usb.Devices);
        Assert.Equal((1UL, 3UL, "0557", "2221"), (device.BusAddress, device.DeviceAddress, device.VendorId, device.ProductId));
        Assert.Equal(("ATEN", "Hermon USB hidmouse Device", 1.5), (device.Vendor, device.Product, device.Speed));
        var iface = Assert.Single(device.Interfaces);
        Assert.Equal((3UL, 1UL, 10UL), (iface.ClassId, iface.SubClassId, iface.Number));
        Assert.Equal(("usbhid", "6.1.0-test"), (iface.Driver, iface.DriverVersion));
    }

    [Fact]
    public void ReadGpu_ReadsDrmCardsAndTheirNodes()
    {
        const string Dev = "sys/devices/pci0000:00/0000:00:02.0";
        _tree.File($"{Dev}/vendor", "0x8086")
            .File($"{Dev}/device", "0x5916")
            .File($"{Dev}/drm/card0/dev", "226:0")
            .File($"{Dev}/drm/renderD128/dev", "226:128")
            .Link($"{Dev}/drm/card0/device", "../../../0000:00:02.0")
            .Dir($"{Dev}/drm/card0/card0-HDMI-A-1")
            .Link("sys/class/drm/card0", "../../devices/pci0000:00/0000:00:02.0/drm/card0")
            .Link("sys/class/drm/card0-HDMI-A-1", "../../devices/pci0000:00/0000:00:02.0/drm/card0/card0-HDMI-A-1")
            .Link("sys/class/drm/renderD128", "../../devices/pci0000:00/0000:00:02.0/drm/renderD128");

        var gpu = _tree.Read().Gpu;

        var card = Assert.Single(gpu.Cards);
        Assert.Equal(1UL, gpu.Total);
        Assert.Equal(("0000:00:02.0", "8086", "5916"), (card.PciAddress, card.VendorId, card.ProductId));
        Assert.Equal((0UL, "card0", "226:0"), (card.Drm!.Id, card.Drm.CardName, card.Drm.CardDevice));
        Assert.Equal(("renderD128", "226:128"), (card.Drm.RenderName, card.Drm.RenderDevice));
        Assert.Null(card.Driver);
    }

    [Fact]
    public void ReadSystem_FromDmiOnPhysicalMachine()
    {
        _tree.File("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme sse2")
            .File("sys/class/dmi/id/sys_vendor", "LENOVO")
            .File("sys/class/dmi/id/product_name", "20HRCTO1WW")
            .File("sys/class/dmi/id/product_family", "ThinkPad X1 Carbon 5th")
            .File("sys/class/dmi/id/chassis_type", "10")
            .File("sys/class/dmi/id/bios_vendor", "LENOVO")
            .File("sys/class/dmi/id/bios_version", "N1MET64W (1.49)")
            .File("sys/class/dmi/id/board_name", "20HRCTO1WW");

        var system = _tree.Read().System;

        Assert.Equal("physical", system.Type);
        Assert.Equal(("LENOVO", "20HRCTO1WW", "ThinkPad X1 Carbon 5th"), (system.Vendor, system.Product, system.Family));
        Assert.Equal("Notebook", system.Chassis!.Type);
        Assert.Equal("N1MET64W (1.49)", system.Firmware!.Version);
        Assert.Equal("20HRCTO1WW", system.Motherboard!.Product);
        Assert.Equal("", system.Uuid);
    }

    [Fact]
    public void ReadSystem_HypervisorFlag_IsVirtualMachine()
    {
        _tree.File("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor sse2");

        var system = _tree.Read().System;

        Assert.Equal("virtual-machine", system.Type);
        Assert.Null(system.Firmware);
        Assert.Null(system.Chassis);
        Assert.Null(system.Motherboard);
    }

    [Theory]
    [InlineData(".dockerenv")]
    [InlineData("run/.containerenv")]
    [InlineData("run/systemd/container")]
    public void ReadSystem_ContainerMarker_IsContainer(string marker)
    {
        _tree.File("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor").File(marker, "");

        Assert.Equal("container", _tree.Read().System.Type);
    }

    [Fact]
    public void ReadSystem_ContainerVariableOfPid1_IsContainer()
    {
        _tree.File("proc/1/environ", "PATH=/bin\0container=lxc\0");

        Assert.Equal("container", _tree.Read().System.Type);
    }

    [Fact]
    public void Read_EmptyTree_ReturnsEmptyValuesWithoutThrowing()
    {
        var resources = _tree.Read();

        Assert.Equal(0UL, resources.Cpu.Total);
        Assert.NotEmpty(resources.Cpu.Architecture);
        Assert.Equal(0UL, resources.Memory.Total);
        Assert.Null(resources.Memory.Nodes);
        Assert.Empty(resources.Network.Cards);
        Assert.Empty(resources.Storage.Disks);
        Assert.Empty(resources.Pci.Devices);
        Assert.Empty(resources.Usb.Devices);
        Assert.Empty(resources.Gpu.Cards);
        Assert.Equal("physical", resources.System.Type);
    }

    [Fact]
    public void RealPath_ResolvesRelativeLinksAgainstTheirRealDirectory()
    {
        _tree.Dir("sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0")
            .Link("sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/device", "../../../virtio2")
            .Link("sys/class/net/eth0", "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0");

        var real = HostResources.RealPath(Path.Combine(_tree.SysRoot, "class/net/eth0/device"));

        Assert.Equal(Path.Combine(_tree.SysRoot, "devices/pci0000:00/0000:00:03.0/virtio2"), real);
        Assert.Null(HostResources.RealPath(Path.Combine(_tree.SysRoot, "class/net/eth1/device")));
    }
}
