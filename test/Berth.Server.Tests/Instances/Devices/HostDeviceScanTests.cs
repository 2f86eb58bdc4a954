using Berth.Api;
using Berth.Native;
using Berth.Server.Instances.Devices;

namespace Berth.Server.Tests.Instances.Devices;

/// <summary>
/// gpu and usb devices against a fake sysfs: this host has neither a GPU nor USB devices, so only the matching and
/// the resulting nodes are tested, not a real device inside a container.
/// </summary>
public sealed class HostDeviceScanTests : IDisposable
{
    private readonly string _sys = Path.Combine(Path.GetTempPath(), "fake-sys-" + Guid.NewGuid().ToString("N")[..8]);

    public HostDeviceScanTests()
    {
        // Two GPUs (card0 Intel 8086:46a6 at 0000:00:02.0, card1 NVIDIA 10de:2204 at 0000:01:00.0), render nodes, a connector.
        AddGpu("0000:00:02.0", "0x8086", "0x46a6", ("card0", "226:0"), ("renderD128", "226:128"));
        AddGpu("0000:01:00.0", "0x10de", "0x2204", ("card1", "226:1"), ("renderD129", "226:129"));
        Directory.CreateDirectory(Path.Combine(_sys, "class", "drm", "card0-HDMI-A-1"));
        AddUsb("1-1", "1d6b", "0002", 1, 1, "189:0", "hub");
        AddUsb("1-2", "0781", "5583", 1, 3, "189:2", "4C530001");
        Directory.CreateDirectory(Path.Combine(_sys, "bus", "usb", "devices", "1-2:1.0")); // an interface, no idVendor
    }

    public void Dispose() => Directory.Delete(_sys, recursive: true);

    private UnixNodeResolver Resolver => new(new HostDeviceScan(_sys), _ => null);

    private IReadOnlyList<UnixNode> Resolve(Dictionary<string, string> device) =>
        Resolver.Resolve(new Dictionary<string, Dictionary<string, string>> { ["dev"] = device });

    [Fact]
    public void Gpu_All_GivesEveryCardAndRenderNode()
    {
        var nodes = Resolve(new() { ["type"] = "gpu" });

        Assert.Equal(["/dev/dri/card0", "/dev/dri/card1", "/dev/dri/renderD128", "/dev/dri/renderD129"], nodes.Select(n => n.PathInside));
        Assert.All(nodes, n => Assert.Equal(226, n.Number.Major));
        Assert.Contains(nodes, n => n.PathInside == "/dev/dri/renderD129" && n.CgroupRule == "c 226:129 rwm");
    }

    [Theory]
    [InlineData("vendorid", "10de")]
    [InlineData("productid", "2204")]
    [InlineData("pci", "0000:01:00.0")]
    [InlineData("id", "1")]
    public void Gpu_Matches_OneCard(string key, string value)
    {
        var nodes = Resolve(new() { ["type"] = "gpu", [key] = value, ["uid"] = "1000", ["mode"] = "0666" });

        Assert.Equal(["/dev/dri/card1", "/dev/dri/renderD129"], nodes.Select(n => n.PathInside));
        Assert.All(nodes, n => Assert.Equal((1000u, 0x1B6), (n.Uid, n.Mode)));
    }

    [Fact]
    public void Gpu_NoMatch_Is400() =>
        Assert.Equal(400, Assert.Throws<ApiException>(() => Resolve(new() { ["type"] = "gpu", ["vendorid"] = "1002" })).Status);

    [Fact]
    public void Gpu_Rendered_AsLxdDoes()
    {
        var nodes = Resolve(new() { ["type"] = "gpu", ["pci"] = "0000:00:02.0" });
        var lines = new List<string>();

        ContainerDeviceRenderer.Render(new Dictionary<string, Dictionary<string, string>>(), nodes, "/d", Server.Instances.CgroupVersion.V1, true, (k, v) => lines.Add($"{k} = {v}"));

        Assert.Equal(
            [
                "lxc.cgroup.devices.allow = c 226:0 rwm",
                "lxc.mount.entry = /d/unix.dev.dev-dri-card0 dev/dri/card0 none bind,create=file 0 0",
                "lxc.cgroup.devices.allow = c 226:128 rwm",
                "lxc.mount.entry = /d/unix.dev.dev-dri-renderD128 dev/dri/renderD128 none bind,create=file 0 0",
            ],
            lines);
    }

    [Fact]
    public void Usb_ByVendorAndProduct_IsTheBusNode()
    {
        var nodes = Resolve(new() { ["type"] = "usb", ["vendorid"] = "0781", ["productid"] = "5583" });

        Assert.Equal([new UnixNode("dev", "/dev/bus/usb/001/003", new DeviceNumber(true, 189, 2), 0, 0, 0x1B0)], nodes);
    }

    [Fact]
    public void Usb_NoMatch_IsSkippedUnlessRequired()
    {
        Assert.Empty(Resolve(new() { ["type"] = "usb", ["vendorid"] = "ffff" }));
        Assert.Equal(400, Assert.Throws<ApiException>(() => Resolve(new() { ["type"] = "usb", ["vendorid"] = "ffff", ["required"] = "true" })).Status);
    }

    private void AddGpu(string pci, string vendor, string product, params (string Name, string Dev)[] nodes)
    {
        var device = Path.Combine(_sys, "devices", "pci0000:00", pci);
        Directory.CreateDirectory(Path.Combine(device, "drm"));
        File.WriteAllText(Path.Combine(device, "vendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(device, "device"), product + "\n");
        foreach (var (name, dev) in nodes)
        {
            var dir = Path.Combine(_sys, "class", "drm", name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "dev"), dev + "\n");
            File.CreateSymbolicLink(Path.Combine(dir, "device"), device);
            Directory.CreateDirectory(Path.Combine(device, "drm", name));
        }
    }

    private void AddUsb(string name, string vendor, string product, int bus, int num, string dev, string serial)
    {
        var dir = Path.Combine(_sys, "bus", "usb", "devices", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "idVendor"), vendor + "\n");
        File.WriteAllText(Path.Combine(dir, "idProduct"), product + "\n");
        File.WriteAllText(Path.Combine(dir, "busnum"), bus + "\n");
        File.WriteAllText(Path.Combine(dir, "devnum"), num + "\n");
        File.WriteAllText(Path.Combine(dir, "dev"), dev + "\n");
        File.WriteAllText(Path.Combine(dir, "serial"), serial + "\n");
    }
}
