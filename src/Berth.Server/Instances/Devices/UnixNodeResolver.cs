using System.Globalization;
using Berth.Api;
using Berth.Native;

namespace Berth.Server.Instances.Devices;

/// <summary>
/// Turns unix-char, unix-block, gpu and usb devices into the <see cref="UnixNode"/>s a container gets. A missing
/// device is an error unless the device is not required (usb is optional by default, as in LXD).
/// </summary>
public sealed class UnixNodeResolver(HostDeviceScan scan, Func<string, DeviceNumber?> stat)
{
    private const int DefaultMode = 0x1B0; // 0660

    public static UnixNodeResolver Host { get; } = new(new HostDeviceScan(), DeviceNodes.Stat);

    public IReadOnlyList<UnixNode> Resolve(IReadOnlyDictionary<string, Dictionary<string, string>> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var nodes = new List<UnixNode>();
        foreach (var (name, device) in devices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            switch (device.GetValueOrDefault("type"))
            {
                case "unix-char" or "unix-block":
                    if (UnixDevice(name, device) is { } node)
                    {
                        nodes.Add(node);
                    }

                    break;
                case "gpu" when device.GetValueOrDefault("gputype") is null or "" or "physical":
                    nodes.AddRange(Gpu(name, device));
                    break;
                case "usb":
                    nodes.AddRange(Usb(name, device));
                    break;
            }
        }

        return nodes;
    }

    private UnixNode? UnixDevice(string name, Dictionary<string, string> device)
    {
        var isChar = device["type"] == "unix-char";
        var source = Value(device, "source") ?? Value(device, "path")!;
        var path = Value(device, "path") ?? source;
        DeviceNumber number;
        if (Value(device, "major") is { } major && Value(device, "minor") is { } minor)
        {
            number = new DeviceNumber(isChar, int.Parse(major, CultureInfo.InvariantCulture), int.Parse(minor, CultureInfo.InvariantCulture));
        }
        else if (stat(source) is { } found)
        {
            if (found.IsChar != isChar)
            {
                throw new ApiException(400, $"Device \"{name}\": {source} is a {(found.IsChar ? "character" : "block")} device, not a {device["type"]}");
            }

            number = found;
        }
        else if (!ContainerDeviceRenderer.IsRequired(device))
        {
            return null;
        }
        else
        {
            throw new ApiException(400, $"Device \"{name}\": missing source device \"{source}\"");
        }

        return Node(name, path, number, device);
    }

    private IEnumerable<UnixNode> Gpu(string name, Dictionary<string, string> device)
    {
        var matched = scan.Gpus().Where(g =>
            Matches(device, "id", g.Id) && Matches(device, "pci", g.Pci) && Matches(device, "vendorid", g.VendorId) && Matches(device, "productid", g.ProductId)).ToList();
        if (matched.Count == 0)
        {
            throw new ApiException(400, $"Device \"{name}\": failed to detect the requested GPU device");
        }

        return matched.Select(g => Node(name, "/dev/dri/" + g.Name, g.Number, device));
    }

    private IEnumerable<UnixNode> Usb(string name, Dictionary<string, string> device)
    {
        var matched = scan.UsbDevices().Where(u =>
            Matches(device, "vendorid", u.VendorId) && Matches(device, "productid", u.ProductId) && Matches(device, "serial", u.Serial)
            && Matches(device, "busnum", u.BusNum.ToString(CultureInfo.InvariantCulture)) && Matches(device, "devnum", u.DevNum.ToString(CultureInfo.InvariantCulture))).ToList();
        if (matched.Count == 0 && Value(device, "required") is { } required && Config.ValueChecks.IsTrue(required))
        {
            throw new ApiException(400, $"Device \"{name}\": no USB device matches");
        }

        return matched.Select(u => Node(name, $"/dev/bus/usb/{u.BusNum:D3}/{u.DevNum:D3}", u.Number, device));
    }

    private static UnixNode Node(string name, string path, DeviceNumber number, Dictionary<string, string> device) => new(
        name,
        path,
        number,
        Value(device, "uid") is { } uid ? uint.Parse(uid, CultureInfo.InvariantCulture) : 0,
        Value(device, "gid") is { } gid ? uint.Parse(gid, CultureInfo.InvariantCulture) : 0,
        Value(device, "mode") is { } mode ? Convert.ToInt32(mode, 8) : DefaultMode);

    private static bool Matches(Dictionary<string, string> device, string key, string actual) =>
        Value(device, key) is not { } wanted || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase)
        || (key is "busnum" or "devnum" && int.TryParse(wanted, out var n) && n.ToString(CultureInfo.InvariantCulture) == actual);

    private static string? Value(Dictionary<string, string> device, string key) =>
        device.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}
