using Berth.Api;
using Berth.Native;
using Berth.Server.Instances;
using Berth.Server.Instances.Devices;

namespace Berth.Server.Tests.Instances.Devices;

public class ContainerDeviceRendererTests
{
    private static List<(string Key, string Value)> Render(Dictionary<string, Dictionary<string, string>> devices, IReadOnlyList<UnixNode>? nodes = null, CgroupVersion cgroups = CgroupVersion.V1, bool idmapped = true)
    {
        var lines = new List<(string, string)>();
        ContainerDeviceRenderer.Render(devices, nodes ?? [], "/var/lib/berth/containers/c1/devices", cgroups, idmapped, (k, v) => lines.Add((k, v)));
        return lines;
    }

    [Fact]
    public void Disk_HostPath_IsABindMount()
    {
        var lines = Render(new() { ["d"] = new() { ["type"] = "disk", ["source"] = "/srv/no such", ["path"] = "/mnt/d" } });

        Assert.Equal([("lxc.mount.entry", "/srv/no\\040such mnt/d none bind,create=dir 0 0")], lines);
    }

    [Fact]
    public void Disk_ReadonlyRecursiveShiftOptional()
    {
        var lines = Render(new()
        {
            ["d"] = new() { ["type"] = "disk", ["source"] = "/srv/x", ["path"] = "/x", ["readonly"] = "true", ["recursive"] = "yes", ["shift"] = "true", ["required"] = "false" },
        });

        Assert.Equal([("lxc.mount.entry", "/srv/x x none rbind,ro,idmap=container,optional,create=dir 0 0")], lines);
    }

    [Fact]
    public void Disk_Shift_OnPrivileged_IsAPlainBind()
    {
        var lines = Render(new() { ["d"] = new() { ["type"] = "disk", ["source"] = "/srv/x", ["path"] = "/x", ["shift"] = "true" } }, idmapped: false);

        Assert.Equal([("lxc.mount.entry", "/srv/x x none bind,create=dir 0 0")], lines);
    }

    [Fact]
    public void Disk_WithPool_OrRoot_IsLeftToStorage()
    {
        var lines = Render(new()
        {
            ["root"] = new() { ["type"] = "disk", ["pool"] = "default", ["path"] = "/" },
            ["vol"] = new() { ["type"] = "disk", ["pool"] = "default", ["source"] = "vol1", ["path"] = "/data" },
        });

        Assert.Empty(lines);
    }

    [Theory]
    [InlineData(CgroupVersion.V1, "lxc.cgroup.devices.allow")]
    [InlineData(CgroupVersion.V2, "lxc.cgroup2.devices.allow")]
    public void UnixNode_AllowRuleAndBindMount(CgroupVersion cgroups, string allowKey)
    {
        var node = new UnixNode("z", "/dev/myzero", new DeviceNumber(true, 1, 5), 0, 0, 0x1B0);

        var lines = Render([], [node], cgroups);

        Assert.Equal(
            [(allowKey, "c 1:5 rwm"), ("lxc.mount.entry", "/var/lib/berth/containers/c1/devices/unix.z.dev-myzero dev/myzero none bind,create=file 0 0")],
            lines);
    }

    [Fact]
    public void Render_ThroughLxcConfigRenderer_IncludesDevices()
    {
        var context = new LxcRenderContext("c1", "/r", "/l", "/cl", CgroupVersion.V1, new IdmapRange(100000, 65536), null, 1L << 30, 2)
        {
            Devices = new Dictionary<string, Dictionary<string, string>> { ["d"] = new() { ["type"] = "disk", ["source"] = "/srv/x", ["path"] = "/x" } },
            UnixNodes = [new UnixNode("b", "/dev/sdz", new DeviceNumber(false, 8, 0), 0, 0, 0x1B0)],
            DeviceNodeDir = "/n",
        };

        var text = LxcConfigRenderer.Render(new Dictionary<string, string>(), context);

        Assert.Contains("lxc.mount.entry = /srv/x x none bind,create=dir 0 0\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.cgroup.devices.allow = b 8:0 rwm\n", text, StringComparison.Ordinal);
        Assert.Contains("lxc.mount.entry = /n/unix.b.dev-sdz dev/sdz none bind,create=file 0 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnixChar_FromSourceOrNumbers_WithOwnership()
    {
        var resolver = new UnixNodeResolver(new HostDeviceScan("/nonexistent"), p => p == "/dev/zero" ? new DeviceNumber(true, 1, 5) : null);

        var nodes = resolver.Resolve(new Dictionary<string, Dictionary<string, string>>
        {
            ["a"] = new() { ["type"] = "unix-char", ["source"] = "/dev/zero", ["path"] = "/dev/myzero", ["uid"] = "1000", ["gid"] = "5", ["mode"] = "0600" },
            ["b"] = new() { ["type"] = "unix-block", ["path"] = "/dev/loopx", ["major"] = "7", ["minor"] = "9" },
            ["c"] = new() { ["type"] = "unix-char", ["source"] = "/dev/missing", ["required"] = "false" },
        });

        Assert.Equal(
            [new UnixNode("a", "/dev/myzero", new DeviceNumber(true, 1, 5), 1000, 5, 0x180), new UnixNode("b", "/dev/loopx", new DeviceNumber(false, 7, 9), 0, 0, 0x1B0)],
            nodes);
    }

    [Fact]
    public void UnixChar_MissingRequired_Is400()
    {
        var resolver = new UnixNodeResolver(new HostDeviceScan("/nonexistent"), _ => null);

        var error = Assert.Throws<ApiException>(() => resolver.Resolve(new Dictionary<string, Dictionary<string, string>> { ["x"] = new() { ["type"] = "unix-char", ["source"] = "/dev/nope" } }));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void UnixBlock_OnACharDevice_Is400()
    {
        var resolver = new UnixNodeResolver(new HostDeviceScan("/nonexistent"), _ => new DeviceNumber(true, 1, 3));

        Assert.Equal(400, Assert.Throws<ApiException>(() => resolver.Resolve(new Dictionary<string, Dictionary<string, string>> { ["x"] = new() { ["type"] = "unix-block", ["source"] = "/dev/null" } })).Status);
    }
}
