using Berth.Api;
using Berth.Server.Config;

namespace Berth.Server.Tests.Config;

public class DeviceSchemaTests
{
    private static Dictionary<string, string> Parse(string spec) =>
        spec.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);

    private static void Valid(string spec, string name = "dev0", bool isProfile = false) =>
        DeviceSchema.Validate(new Dictionary<string, Dictionary<string, string>> { [name] = Parse(spec) }, isProfile);

    private static ApiException Invalid(string spec, string name = "dev0") =>
        Assert.Throws<ApiException>(() => Valid(spec, name));

    [Theory]
    // disk
    [InlineData("type=disk path=/ pool=default")]
    [InlineData("type=disk path=/ pool=default size=10GiB")]
    [InlineData("type=disk path=/mnt/data source=/srv/data readonly=true recursive=true shift=false propagation=rslave")]
    [InlineData("type=disk path=/data source=vol1 pool=default required=false")]
    [InlineData("type=disk path=/data source=/srv limits.read=10MB limits.write=100iops limits.max=1GB")]
    [InlineData("type=disk path=/data source=/srv raw.mount.options=noatime boot.priority=1")]
    // nic
    [InlineData("type=nic network=lxdbr0 name=eth0")]
    [InlineData("type=nic network=lxdbr0 ipv4.address=10.0.0.5 hwaddr=00:16:3e:aa:bb:cc security.mac_filtering=true")]
    [InlineData("type=nic nictype=bridged parent=br0 name=eth0 mtu=1500 vlan=10 vlan.tagged=20,30-40 limits.ingress=100Mbit limits.egress=1Gbit")]
    [InlineData("type=nic nictype=macvlan parent=eth0")]
    [InlineData("type=nic nictype=physical parent=enp5s0 name=eth1")]
    [InlineData("type=nic nictype=p2p host_name=veth-c1 ipv4.routes=10.0.5.0/24")]
    [InlineData("type=nic nictype=routed ipv4.address=192.0.2.10,192.0.2.11 ipv4.gateway=auto parent=eth0")]
    [InlineData("type=nic nictype=ipvlan parent=eth0 mode=l2 ipv4.gateway=192.0.2.1")]
    [InlineData("type=nic nictype=sriov parent=enp6s0 vlan=0")]
    // proxy
    [InlineData("type=proxy listen=tcp:0.0.0.0:80 connect=tcp:127.0.0.1:80")]
    [InlineData("type=proxy listen=tcp:[::]:8000-8002 connect=tcp:127.0.0.1:9000-9002 bind=host")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:8000-8002,8010 connect=tcp:127.0.0.1:80")]
    [InlineData("type=proxy listen=unix:/run/host.sock connect=unix:/run/guest.sock bind=instance uid=1000 gid=1000 mode=0600")]
    [InlineData("type=proxy listen=udp:0.0.0.0:53 connect=udp:10.0.0.2:53 nat=true")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:80 connect=tcp:127.0.0.1:80 proxy_protocol=true security.uid=1000")]
    // unix
    [InlineData("type=unix-char path=/dev/net/tun")]
    [InlineData("type=unix-char source=/dev/fuse mode=0666 required=false")]
    [InlineData("type=unix-block source=/dev/sdb path=/dev/sdb major=8 minor=16 uid=0 gid=6")]
    [InlineData("type=unix-hotplug vendorid=0403 productid=6001")]
    [InlineData("type=usb vendorid=1d6b productid=0002 required=false")]
    // gpu and the rest
    [InlineData("type=gpu")]
    [InlineData("type=gpu gputype=physical pci=0000:00:02.0 uid=1000 mode=0660")]
    [InlineData("type=gpu gputype=mdev mdev=i915-GVTg_V5_4 pci=0000:00:02.0")]
    [InlineData("type=gpu gputype=mig mig.ci=0 mig.gi=1 pci=07:00.0")]
    [InlineData("type=infiniband nictype=physical parent=ib0")]
    [InlineData("type=tpm path=/dev/tpm0 pathrm=/dev/tpmrm0")]
    [InlineData("type=pci address=0000:05:00.0")]
    [InlineData("type=none")]
    public void Validate_GoodDevice_Passes(string spec) => Valid(spec);

    [Theory]
    // disk
    [InlineData("type=disk path=/", "pool")]
    [InlineData("type=disk path=/ pool=default source=/srv", "source")]
    [InlineData("type=disk source=/srv", "path")]
    [InlineData("type=disk path=/data", "source")]
    [InlineData("type=disk path=data source=/srv", "path")]
    [InlineData("type=disk path=/data source=/srv readonly=perhaps", "readonly")]
    [InlineData("type=disk path=/data source=/srv propagation=sideways", "propagation")]
    [InlineData("type=disk path=/data source=/srv limits.read=fast", "limits.read")]
    [InlineData("type=disk path=/data source=/srv size=10GiB", "size")]
    [InlineData("type=disk path=/ pool=default size=ten", "size")]
    [InlineData("type=disk path=/ pool=default colour=blue", "colour")]
    // nic
    [InlineData("type=nic", "nictype")]
    [InlineData("type=nic nictype=wormhole parent=eth0", "nictype")]
    [InlineData("type=nic nictype=bridged", "parent")]
    [InlineData("type=nic nictype=macvlan", "parent")]
    [InlineData("type=nic network=lxdbr0 parent=br0", "parent")]
    [InlineData("type=nic network=lxdbr0 nictype=bridged", "nictype")]
    [InlineData("type=nic network=lxdbr0 hwaddr=00:16:3e:aa:bb", "hwaddr")]
    [InlineData("type=nic network=lxdbr0 hwaddr=zz:16:3e:aa:bb:cc", "hwaddr")]
    [InlineData("type=nic network=lxdbr0 ipv4.address=10.0.0.256", "ipv4.address")]
    [InlineData("type=nic network=lxdbr0 ipv6.address=10.0.0.1", "ipv6.address")]
    [InlineData("type=nic network=lxdbr0 name=this-name-is-far-too-long", "name")]
    [InlineData("type=nic nictype=bridged parent=br0 mtu=100", "mtu")]
    [InlineData("type=nic nictype=bridged parent=br0 vlan=4095", "vlan")]
    [InlineData("type=nic nictype=bridged parent=br0 limits.ingress=fast", "limits.ingress")]
    [InlineData("type=nic nictype=macvlan parent=eth0 host_name=veth0", "host_name")]
    [InlineData("type=nic nictype=routed ipv4.gateway=10.0.0.1", "ipv4.gateway")]
    // proxy
    [InlineData("type=proxy connect=tcp:127.0.0.1:80", "listen")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:80", "connect")]
    [InlineData("type=proxy listen=http:0.0.0.0:80 connect=tcp:127.0.0.1:80", "listen")]
    [InlineData("type=proxy listen=tcp:0.0.0.0 connect=tcp:127.0.0.1:80", "listen")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:70000 connect=tcp:127.0.0.1:80", "listen")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:80 connect=tcp:127.0.0.1:80 bind=elsewhere", "bind")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:80-81 connect=tcp:127.0.0.1:80-82", "connect")]
    [InlineData("type=proxy listen=tcp:0.0.0.0:80 connect=tcp:10.0.0.2:80 nat=true bind=instance", "NAT")]
    [InlineData("type=proxy listen=unix:/a connect=unix:/b nat=true", "NAT")]
    [InlineData("type=proxy listen=unix:/a connect=unix:/b mode=999", "mode")]
    // unix, usb, gpu, others
    [InlineData("type=unix-char", "source")]
    [InlineData("type=unix-char path=/dev/x major=eight", "major")]
    [InlineData("type=unix-block path=/dev/x uid=-1", "uid")]
    [InlineData("type=unix-hotplug", "vendorid")]
    [InlineData("type=usb vendorid=xyz", "vendorid")]
    [InlineData("type=gpu gputype=quantum", "gputype")]
    [InlineData("type=gpu gputype=mdev", "mdev")]
    [InlineData("type=gpu pci=banana", "pci")]
    [InlineData("type=gpu mig.ci=0", "mig.ci")]
    [InlineData("type=infiniband parent=ib0", "nictype")]
    [InlineData("type=tpm path=/dev/tpm0", "pathrm")]
    [InlineData("type=pci", "address")]
    [InlineData("type=none path=/x", "path")]
    [InlineData("type=teleporter", "teleporter")]
    public void Validate_BadDevice_Throws400NamingTheProblem(string spec, string mentioned)
    {
        var e = Invalid(spec);

        Assert.Equal(400, e.Status);
        Assert.Contains(mentioned, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownKey_NamesKeyDeviceAndType()
    {
        var e = Invalid("type=disk path=/ pool=default colour=blue", name: "root");

        Assert.Equal("Invalid device option \"colour\" for device \"root\" of type disk", e.Message);
    }

    [Fact]
    public void Validate_BadValue_NamesKeyDeviceAndExpectation()
    {
        var e = Invalid("type=nic network=lxdbr0 hwaddr=nope", name: "eth0");

        Assert.Equal("Invalid value for \"hwaddr\" of device \"eth0\": \"nope\" (expected a MAC address like 00:16:3e:12:34:56)", e.Message);
    }

    [Fact]
    public void Validate_MissingType_Throws400() =>
        Assert.Equal("Missing device type for device \"dev0\"", Invalid("path=/ pool=default").Message);

    [Fact]
    public void Validate_EmptyName_Throws400() => Assert.Equal(400, Invalid("type=none", name: "").Status);

    [Fact]
    public void Validate_NameWithSlash_Throws400() => Assert.Contains("a/b", Invalid("type=none", name: "a/b").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("type=disk path=/data source=srv/data", "Source path must be absolute for local sources")]
    [InlineData("type=disk path=/data source=/srv/vol pool=default", "Storage volumes cannot be specified as absolute paths")]
    [InlineData("type=disk path=/data source=vol pool=default shift=true", "The \"shift\" property cannot be used with custom storage volumes (set \"security.shifted=true\" on the volume instead)")]
    public void Validate_DiskSources_AsLxd(string spec, string message) => Assert.Equal(message, Invalid(spec).Message);

    [Fact]
    public void Validate_TwoDisksAtOnePath_Throws400()
    {
        var devices = new Dictionary<string, Dictionary<string, string>>
        {
            ["a"] = Parse("type=disk path=/mnt source=/srv/a"),
            ["b"] = Parse("type=disk path=/mnt source=/srv/b"),
        };

        var e = Assert.Throws<ApiException>(() => DeviceSchema.Validate(devices, isProfile: false));

        Assert.Equal("More than one disk device uses the same path \"/mnt\"", e.Message);
    }

    [Fact]
    public void Validate_DiskAndProxyAtOnePath_Pass() =>
        DeviceSchema.Validate(
            new Dictionary<string, Dictionary<string, string>>
            {
                ["a"] = Parse("type=disk path=/mnt source=/srv/a"),
                ["b"] = Parse("type=unix-char path=/mnt"),
            },
            isProfile: false);

    [Fact]
    public void Validate_DiskInitialKeys_AreFreeForm() => Valid("type=disk path=/ pool=default initial.zfs.blocksize=64KiB");

    [Fact]
    public void Validate_ProfileDevices_UseTheSameRules()
    {
        Valid("type=disk path=/ pool=default", name: "root", isProfile: true);
        Assert.Throws<ApiException>(() => Valid("type=disk path=/", name: "root", isProfile: true));
    }

    [Fact]
    public void WithoutEmptyValues_DropsEmptyKeys_KeepsDevicesAndOthers()
    {
        var stored = DeviceSchema.WithoutEmptyValues(new Dictionary<string, Dictionary<string, string>>
        {
            ["eth0"] = new() { ["type"] = "nic", ["limits.egress"] = "" },
            ["none0"] = new() { ["type"] = "none" },
        });

        Assert.Equal(["eth0", "none0"], stored.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["type"] = "nic" }, stored["eth0"]);
        Assert.Empty(DeviceSchema.WithoutEmptyValues(null));
    }
}
