using Berth.Api;
using static Berth.Server.Config.ValueChecks;

namespace Berth.Server.Config;

public static partial class DeviceSchema
{
    private static readonly Dictionary<string, ConfigRule> Ownership = Table(("uid", Unsigned), ("gid", Unsigned), ("mode", OctalMode));

    // ---- disk ----

    private static readonly DeviceRules Disk = new(
        Table(
            ("path", AbsolutePath), ("source", Any), ("pool", ObjectName),
            ("readonly", Bool), ("recursive", Bool), ("required", Bool), ("shift", Bool), ("optional", Bool),
            ("size", ByteSize), ("size.state", ByteSize),
            ("propagation", OneOf("private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable")),
            ("raw.mount.options", Any),
            ("limits.read", DiskRate), ("limits.write", DiskRate), ("limits.max", DiskRate),
            ("boot.priority", Unsigned),
            ("ceph.cluster_name", Any), ("ceph.user_name", Any),
            ("io.bus", OneOf("virtio-scsi", "virtio-blk", "nvme", "usb")),
            ("io.cache", OneOf("none", "writeback", "unsafe")),
            ("io.threads", Unsigned),
            ("source.snapshot", Any), ("source.type", OneOf("custom", "virtual-machine", "container"))),
        CheckDisk,
        ["initial."]);

    private static void CheckDisk(string device, IReadOnlyDictionary<string, string> config)
    {
        var path = Get(config, "path");
        var source = Get(config, "source");
        if (path == "/")
        {
            if (Get(config, "pool").Length == 0)
            {
                throw Missing(device, "pool", "the root disk (path=/) must name a storage pool");
            }

            if (source.Length > 0)
            {
                throw new ApiException(400, $"The root disk device \"{device}\" cannot have a \"source\"");
            }

            return;
        }

        // VMs take cloud-init/agent config drives without a path; containers need one.
        if (path.Length == 0 && !source.StartsWith("cloud-init:", StringComparison.Ordinal) && !source.StartsWith("agent:", StringComparison.Ordinal))
        {
            throw Missing(device, "path");
        }

        if (source.Length == 0)
        {
            throw Missing(device, "source", "only the root disk (path=/) may omit it");
        }

        if (Get(config, "size").Length > 0 || Get(config, "size.state").Length > 0)
        {
            throw new ApiException(400, $"Only the root disk may have a size quota (device \"{device}\")");
        }

        // LXD 5.0.2's disk device checks, with its texts. (It also refuses recursive=true with readonly=true, "not
        // supported by the kernel"; kernels since 5.12 make the whole tree read-only, and Berth does.)
        var isVolume = Get(config, "pool").Length > 0;
        if (!isVolume && IsLocalSource(source) && !source.StartsWith('/'))
        {
            throw new ApiException(400, "Source path must be absolute for local sources");
        }

        if (isVolume && Get(config, "shift").Length > 0)
        {
            throw new ApiException(400, "The \"shift\" property cannot be used with custom storage volumes (set \"security.shifted=true\" on the volume instead)");
        }

        if (isVolume && source.StartsWith('/'))
        {
            throw new ApiException(400, "Storage volumes cannot be specified as absolute paths");
        }
    }

    /// <summary>
    /// LXD refuses two disk devices of one instance (or one profile) at the same path: it counts the devices, whatever
    /// their names, so a profile and an instance may still each have one.
    /// </summary>
    public static void CheckDiskPathUnique(IReadOnlyDictionary<string, string> config, IReadOnlyDictionary<string, Dictionary<string, string>> devices)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(devices);
        var path = Get(config, "path");
        if (Get(config, "type") == "disk" && path.Length > 0
            && devices.Values.Count(d => d is not null && Get(d, "type") == "disk" && Get(d, "path") == path) > 1)
        {
            throw new ApiException(400, $"More than one disk device uses the same path \"{path}\"");
        }
    }

    private static bool IsLocalSource(string source) =>
        !source.StartsWith("ceph:", StringComparison.Ordinal) && !source.StartsWith("cephfs:", StringComparison.Ordinal)
        && !source.StartsWith("cloud-init:", StringComparison.Ordinal) && !source.StartsWith("agent:", StringComparison.Ordinal);

    // ---- proxy ----

    private static readonly DeviceRules Proxy = new(
        Merge(
            [Ownership],
            ("listen", ProxyAddress), ("connect", ProxyAddress),
            ("bind", OneOf("host", "instance", "container", "vm")),
            ("nat", Bool), ("proxy_protocol", Bool),
            ("security.uid", Unsigned), ("security.gid", Unsigned)),
        CheckProxy);

    private static string? ProxyAddress(string value) => ParseProxyAddress(value, out _, out _);

    private static void CheckProxy(string device, IReadOnlyDictionary<string, string> config)
    {
        var listen = Get(config, "listen");
        var connect = Get(config, "connect");
        if (listen.Length == 0)
        {
            throw Missing(device, "listen");
        }

        if (connect.Length == 0)
        {
            throw Missing(device, "connect");
        }

        ParseProxyAddress(listen, out var listenProtocol, out var listenPorts);
        ParseProxyAddress(connect, out var connectProtocol, out var connectPorts);
        if (connectPorts > 1 && connectPorts != listenPorts)
        {
            throw new ApiException(400, $"Proxy device \"{device}\": connect must name one port or as many ports as listen");
        }

        if (IsTrue(Get(config, "nat")))
        {
            if (Get(config, "bind") is "instance" or "container" or "vm")
            {
                throw new ApiException(400, $"Proxy device \"{device}\": only host-bound proxies can use NAT");
            }

            if (listenProtocol == "unix" || connectProtocol == "unix")
            {
                throw new ApiException(400, $"Proxy device \"{device}\": NAT works only for tcp and udp");
            }

            if (IsTrue(Get(config, "proxy_protocol")))
            {
                throw new ApiException(400, $"Proxy device \"{device}\": proxy_protocol cannot be used with NAT");
            }
        }
    }

    // ---- unix-char, unix-block, unix-hotplug, usb ----

    private static readonly DeviceRules UnixDevice = new(
        Merge([Ownership], ("path", AbsolutePath), ("source", AbsolutePath), ("major", Int(0)), ("minor", Int(0)), ("required", Bool)),
        (device, config) =>
        {
            if (Get(config, "path").Length == 0 && Get(config, "source").Length == 0)
            {
                throw Missing(device, "source", "a unix device needs \"source\" or \"path\"");
            }
        });

    private static readonly DeviceRules UnixHotplug = new(
        Merge([Ownership], ("vendorid", HexId), ("productid", HexId), ("required", Bool), ("ownership.inherit", Bool), ("subsystem", Any)),
        (device, config) =>
        {
            if (Get(config, "vendorid").Length == 0 && Get(config, "productid").Length == 0 && Get(config, "subsystem").Length == 0)
            {
                throw Missing(device, "vendorid", "unix-hotplug needs a vendorid, productid or subsystem");
            }
        });

    private static readonly DeviceRules Usb = new(
        Merge([Ownership], ("vendorid", HexId), ("productid", HexId), ("required", Bool), ("busnum", Unsigned), ("devnum", Unsigned), ("serial", Any)));

    // ---- gpu ----

    private static readonly Dictionary<string, ConfigRule> GpuMatch = Table(("id", Any), ("pci", PciAddress), ("vendorid", HexId), ("productid", HexId));

    private static readonly Dictionary<string, Dictionary<string, ConfigRule>> ByGpuType = new(StringComparer.Ordinal)
    {
        ["physical"] = Merge([GpuMatch, Ownership], ("gputype", OneOf("physical"))),
        ["mdev"] = Merge([GpuMatch], ("gputype", OneOf("mdev")), ("mdev", Any)),
        ["mig"] = Merge([GpuMatch], ("gputype", OneOf("mig")), ("mig.ci", Unsigned), ("mig.gi", Unsigned), ("mig.uuid", Any)),
        ["sriov"] = Merge([GpuMatch], ("gputype", OneOf("sriov"))),
    };

    private static DeviceRules GpuRules(string name, IReadOnlyDictionary<string, string> config)
    {
        var gputype = Get(config, "gputype");
        if (gputype.Length == 0)
        {
            gputype = "physical";
        }

        if (!ByGpuType.TryGetValue(gputype, out var keys))
        {
            throw InvalidValue(name, "gputype", gputype, $"expected one of: {string.Join(", ", ByGpuType.Keys)}");
        }

        return new DeviceRules(keys, (device, c) =>
        {
            if (gputype == "mdev" && Get(c, "mdev").Length == 0)
            {
                throw Missing(device, "mdev", "gputype mdev");
            }
        });
    }

    // ---- infiniband, tpm, pci, none ----

    private static readonly DeviceRules Infiniband = new(
        Table(("nictype", OneOf("physical", "sriov")), ("parent", InterfaceName), ("name", InterfaceName), ("hwaddr", InfinibandMac), ("mtu", Mtu)),
        (device, config) =>
        {
            if (Get(config, "nictype").Length == 0)
            {
                throw Missing(device, "nictype");
            }

            if (Get(config, "parent").Length == 0)
            {
                throw Missing(device, "parent");
            }
        });

    private static readonly DeviceRules Tpm = new(
        Table(("path", AbsolutePath), ("pathrm", AbsolutePath)),
        (device, config) =>
        {
            if (Get(config, "path").Length == 0)
            {
                throw Missing(device, "path", "containers need the TPM path");
            }

            if (Get(config, "pathrm").Length == 0)
            {
                throw Missing(device, "pathrm", "containers need the TPM resource manager path");
            }
        });

    private static readonly DeviceRules Pci = new(
        Table(("address", PciAddress)),
        (device, config) =>
        {
            if (Get(config, "address").Length == 0)
            {
                throw Missing(device, "address");
            }
        });

    /// <summary>type=none masks a device inherited from a profile; it takes no other key.</summary>
    private static readonly DeviceRules None = new(Table());
}
