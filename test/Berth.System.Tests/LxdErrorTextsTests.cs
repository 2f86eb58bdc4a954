namespace Berth.System.Tests;

/// <summary>
/// Bad input to config, profile and device commands through Debian's lxc: the same text (and status) as LXD 5.0.2
/// gives for the same command, as checked against Debian's lxd; and nothing changed.
/// </summary>
public sealed class LxdErrorTextsTests : IAsyncLifetime
{
    private readonly string _name = "e" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var init = await _berthd.LxcAsync("init", "--empty", _name);
        Assert.True(init.ExitCode == 0, init + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "create", "p1")).ExitCode);
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<string> ErrorAsync(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 1, $"lxc {string.Join(' ', args)}: {result}");
        return result.Stderr.TrimEnd('\n');
    }

    [Fact]
    public async Task ConfigAndProfiles_SameTextsAsLxd()
    {
        Assert.Equal("Error: Profile not found", await ErrorAsync("profile", "add", _name, "nope"));
        Assert.Equal("Error: Profile not found", await ErrorAsync("profile", "assign", _name, "default,nope"));
        Assert.Equal("Error: Invalid config: Invalid value: 12XB", await ErrorAsync("config", "set", _name, "limits.memory", "12XB"));
        Assert.Equal("Error: Invalid config: Invalid value: banana", await ErrorAsync("config", "set", _name, "limits.memory", "banana"));
        Assert.Equal("Error: Invalid config: Invalid CPU limit syntax", await ErrorAsync("config", "set", _name, "limits.cpu", "abc"));
        Assert.Equal("Error: Invalid config: Invalid allowance: 200", await ErrorAsync("config", "set", _name, "limits.cpu.allowance", "200"));
        Assert.Equal("Error: Invalid config: Unknown configuration key: nope.key", await ErrorAsync("config", "set", _name, "nope.key", "x"));
        Assert.Equal("Error: Invalid config: Invalid value for a boolean \"maybe\"", await ErrorAsync("config", "set", _name, "boot.autostart", "maybe"));
        Assert.Equal("Error: Invalid value: 12XB", await ErrorAsync("profile", "set", "p1", "limits.memory", "12XB"));
        Assert.Equal("Error: Unknown configuration key: nope.key", await ErrorAsync("profile", "set", "p1", "nope.key", "x"));
        Assert.Equal("Error: Invalid CPU limit syntax", await ErrorAsync("profile", "set", "p1", "limits.cpu", "abc"));

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "add", _name, "p1")).ExitCode);
        Assert.Equal("Error: Duplicate profile found in request", await ErrorAsync("profile", "add", _name, "p1"));

        var put = await ProcessRunner.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", _berthd.Socket, "-X", "PUT",
            "-d", "{\"config\":{},\"devices\":{},\"profiles\":[\"default\",\"nope\"]}", $"http://b/1.0/instances/{_name}"]);
        var profilePut = await ProcessRunner.RunAsync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", _berthd.Socket, "-X", "PUT",
            "-d", "{\"config\":{\"limits.memory\":\"12XB\"},\"devices\":{}}", "http://b/1.0/profiles/p1"]);
        Assert.Equal(("404", "500"), (put.Stdout, profilePut.Stdout));
        Assert.Equal("default\np1\n", string.Concat((await _berthd.LxcAsync("config", "show", _name)).Stdout.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..] + "\n")));
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", _name, "limits.memory")).Stdout.Trim());
    }

    [Fact]
    public async Task Devices_SameTextsAsLxd()
    {
        const string Prefix = "Error: Invalid devices: Device validation failed for ";
        Assert.Equal(Prefix + "\"d\": Disk entry is missing the required \"source\" or \"path\" property", await ErrorAsync("config", "device", "add", _name, "d", "disk"));
        Assert.Equal(Prefix + "\"d\": Disk entry is missing the required \"source\" or \"path\" property", await ErrorAsync("config", "device", "add", _name, "d", "disk", "path=/mnt"));
        Assert.Equal(Prefix + "\"d\": Failed loading device \"d\": Unsupported device type", await ErrorAsync("config", "device", "add", _name, "d", "nope"));
        Assert.Equal(Prefix + "\"d\": Invalid device option \"bogus\"", await ErrorAsync("config", "device", "add", _name, "d", "disk", "source=/tmp", "path=/mnt", "bogus=1"));
        Assert.Equal(Prefix + "\"d\": Invalid value for device option \"readonly\": Invalid value for a boolean \"maybe\"",
            await ErrorAsync("config", "device", "add", _name, "d", "disk", "source=/tmp", "path=/mnt", "readonly=maybe"));
        Assert.Equal(Prefix + "\"u\": Unix device entry is missing the required \"source\" or \"path\" property", await ErrorAsync("config", "device", "add", _name, "u", "unix-char"));
        Assert.Equal(Prefix + "\"n\": Failed loading device \"n\": Unsupported device type", await ErrorAsync("config", "device", "add", _name, "n", "nic"));
        Assert.Equal(Prefix + "\"n\": Invalid value for device option \"parent\": Required value", await ErrorAsync("config", "device", "add", _name, "n", "nic", "nictype=bridged"));
        Assert.Equal("Error: Device validation failed for \"d2\": Disk entry is missing the required \"source\" or \"path\" property", await ErrorAsync("profile", "device", "add", "default", "d2", "disk"));
        Assert.Equal(Prefix + "\"r\": Source path must be absolute for local sources", await ErrorAsync("config", "device", "add", _name, "r", "disk", "source=tmp", "path=/r"));
        Assert.Equal(Prefix + "\"v\": Storage volumes cannot be specified as absolute paths", await ErrorAsync("config", "device", "add", _name, "v", "disk", "pool=default", "source=/tmp", "path=/v"));
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "add", _name, "d1", "disk", "source=/tmp", "path=/mnt")).ExitCode);
        Assert.Equal(Prefix + "\"d1\": More than one disk device uses the same path \"/mnt\"", await ErrorAsync("config", "device", "add", _name, "d2", "disk", "source=/srv", "path=/mnt"));
        Assert.Equal(0, (await _berthd.LxcAsync("config", "device", "remove", _name, "d1")).ExitCode);
        Assert.Equal("{}\n", (await _berthd.LxcAsync("config", "device", "show", _name)).Stdout);
    }
}
