namespace Berth.System.Tests;

/// <summary>
/// What LXD's own suites (config: container_metadata, config_profiles, config_edit_container_snapshot_pool_config;
/// snapshots) do through Debian's lxc against a real berthd with busybox containers: an instance's metadata.yaml and
/// templates (<c>lxc config metadata</c>, <c>lxc config template</c>), raw.lxc that liblxc refuses, the description of
/// an instance volume and of its snapshots, and LXD's <c>snapshots/&lt;name&gt;</c> link in the data dir.
/// </summary>
public sealed class InstanceMetadataTests : IAsyncLifetime
{
    private readonly string _prefix = "m" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Metadata_ShowEdit_AndTemplates_ListShowCreateEditDelete()
    {
        var name = _prefix + "-a";
        await Ok("init", "busybox", name);

        var show = await Ok("config", "metadata", "show", name);
        Assert.Contains("os: busybox", show, StringComparison.Ordinal);
        Assert.Contains("template: hostname.tpl", show, StringComparison.Ordinal);

        var edit = await _berthd.LxcStdinAsync(show.Replace("os: busybox", "os: edited-os", StringComparison.Ordinal), "config", "metadata", "edit", name);
        Assert.True(edit.ExitCode == 0, edit.ToString());
        Assert.Contains("os: edited-os", await Ok("config", "metadata", "show", name), StringComparison.Ordinal);
        var onDisk = await File.ReadAllTextAsync(Path.Combine(_berthd.Dir, "storage-pools", "default", "containers", name, "metadata.yaml"), TestContext.Current.CancellationToken);
        Assert.Contains("os: edited-os", onDisk, StringComparison.Ordinal);

        var list = await Ok("config", "template", "list", name);
        Assert.Contains("hostname.tpl", list, StringComparison.Ordinal);
        Assert.Contains("hosts.tpl", list, StringComparison.Ordinal);
        Assert.Equal("{{ container.name }}", (await Ok("config", "template", "show", name, "hostname.tpl")).Trim());

        await Ok("config", "template", "create", name, "my.tpl");
        Assert.Contains("my.tpl", await Ok("config", "template", "list", name), StringComparison.Ordinal);
        var templateEdit = await _berthd.LxcStdinAsync("some content\n", "config", "template", "edit", name, "my.tpl");
        Assert.True(templateEdit.ExitCode == 0, templateEdit.ToString());
        Assert.Equal("some content", (await Ok("config", "template", "show", name, "my.tpl")).Trim());

        await Ok("config", "template", "delete", name, "my.tpl");
        Assert.DoesNotContain("my.tpl", await Ok("config", "template", "list", name), StringComparison.Ordinal);
        var missing = await _berthd.LxcAsync("config", "template", "show", name, "my.tpl");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
        var badName = await _berthd.LxcAsync("query", "-X", "POST", $"/1.0/instances/{name}/metadata/templates?path=..%2Fmetadata.yaml", "--data", "x");
        Assert.Equal(1, badName.ExitCode);
        Assert.Contains("Invalid template filename", badName.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawLxc_UnknownKeyOrForbiddenKey_Refused_AndNothingStored()
    {
        var name = _prefix + "-b";
        await Ok("init", "busybox", name);

        var unknown = await _berthd.LxcAsync("config", "set", name, "raw.lxc", "lxc.notaconfigkey=invalid");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("raw.lxc", unknown.Stderr, StringComparison.Ordinal);
        var logfile = await _berthd.LxcAsync("config", "set", name, "raw.lxc", "lxc.logfile=/tmp/x");
        Assert.Equal(1, logfile.ExitCode);
        Assert.Contains("Setting lxc.logfile is not allowed", logfile.Stderr, StringComparison.Ordinal);
        var prlimit = await _berthd.LxcAsync("config", "set", name, "raw.lxc", "lxc.prlimit.nofile=10");
        Assert.Contains("Process limits should be set via", prlimit.Stderr, StringComparison.Ordinal);
        var malformed = await _berthd.LxcAsync("profile", "set", "default", "raw.lxc", "a");
        Assert.Contains("Invalid raw.lxc line: a", malformed.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await Ok("config", "get", name, "raw.lxc")).Trim());

        // A key liblxc knows is taken, and the container starts with it.
        await Ok("config", "set", name, "raw.lxc", "lxc.environment = RAWCHECK=yes");
        await Ok("start", name);
        Assert.Contains("RAWCHECK=yes", await Ok("exec", name, "--", "cat", "/proc/1/environ"), StringComparison.Ordinal);
        await Ok("delete", "--force", name);
    }

    [Fact]
    public async Task InstanceVolume_AndItsSnapshot_DescriptionsEditable_ConfigNot()
    {
        var name = _prefix + "-c";
        await Ok("init", "busybox", name);
        await Ok("snapshot", name, "s1");

        var show = await Ok("storage", "volume", "show", "default", "container/" + name);
        var edit = await _berthd.LxcStdinAsync(show.Replace("description: \"\"", "description: bar", StringComparison.Ordinal), "storage", "volume", "edit", "default", "container/" + name);
        Assert.True(edit.ExitCode == 0, edit.ToString());
        Assert.Contains("description: bar", await Ok("storage", "volume", "show", "default", "container/" + name), StringComparison.Ordinal);

        var snapShow = await Ok("storage", "volume", "show", "default", $"container/{name}/s1");
        Assert.Contains("name: s1", snapShow, StringComparison.Ordinal);
        var snapEdit = await _berthd.LxcStdinAsync(snapShow.Replace("description: \"\"", "description: baz", StringComparison.Ordinal), "storage", "volume", "edit", "default", $"container/{name}/s1");
        Assert.True(snapEdit.ExitCode == 0, snapEdit.ToString());
        Assert.Contains("description: baz", await Ok("storage", "volume", "show", "default", $"container/{name}/s1"), StringComparison.Ordinal);
        Assert.Contains("description: bar", await Ok("storage", "volume", "show", "default", "container/" + name), StringComparison.Ordinal);

        var size = await _berthd.LxcAsync("storage", "volume", "set", "default", "container/" + name, "size", "1GiB");
        Assert.Equal(1, size.ExitCode);
        Assert.DoesNotContain("size", await Ok("storage", "volume", "show", "default", "container/" + name), StringComparison.Ordinal);
        await Ok("delete", name);
    }

    [Fact]
    public async Task SnapshotsLink_FollowsSnapshots_RenameAndDelete()
    {
        var name = _prefix + "-d";
        var link = Path.Combine(_berthd.Dir, "snapshots", name);
        await Ok("init", "busybox", name);
        Assert.False(Path.Exists(link));
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "containers", name, "rootfs", "bin")), "containers/<name>/rootfs right after lxc init, as LXD");

        await Ok("snapshot", name);
        Assert.True(Directory.Exists(Path.Combine(link, "snap0")), "snapshots/<name>/snap0 after lxc snapshot");
        await Ok("snapshot", name, "tester");
        Assert.True(Directory.Exists(Path.Combine(link, "tester")));
        await Ok("delete", name + "/snap0");
        Assert.False(Directory.Exists(Path.Combine(link, "snap0")));

        await Ok("move", name, name + "x");
        Assert.False(Path.Exists(link));
        Assert.False(Path.Exists(Path.Combine(_berthd.Dir, "containers", name)));
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "containers", name + "x", "rootfs", "bin")));
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "snapshots", name + "x", "tester")));

        await Ok("delete", name + "x/tester");
        Assert.False(Path.Exists(Path.Combine(_berthd.Dir, "snapshots", name + "x")));
        await Ok("snapshot", name + "x", "again");
        await Ok("delete", name + "x");
        Assert.False(Path.Exists(Path.Combine(_berthd.Dir, "snapshots", name + "x")));
    }

    [Fact]
    public async Task Unset_ProfileAndInstanceKeys_AreGone_NotEmpty()
    {
        var profile = _prefix + "-p";
        var name = _prefix + "-e";
        await Ok("profile", "create", profile);
        await Ok("profile", "set", profile, "user.foo", "bar");
        Assert.Contains("user.foo: bar", await Ok("profile", "show", profile), StringComparison.Ordinal);
        await Ok("profile", "unset", profile, "user.foo");
        Assert.DoesNotContain("user.foo", await Ok("profile", "show", profile), StringComparison.Ordinal);

        await Ok("init", "busybox", name, "-c", "user.prop=value");
        Assert.Contains(name, await Ok("list", "user.prop=value", "-c", "n", "-f", "csv"), StringComparison.Ordinal);
        await Ok("config", "unset", name, "user.prop");
        Assert.DoesNotContain("user.prop", await Ok("config", "show", name), StringComparison.Ordinal);
        Assert.DoesNotContain(name, await Ok("list", "user.prop=value", "-c", "n", "-f", "csv"), StringComparison.Ordinal);
        await Ok("delete", name);
        await Ok("profile", "delete", profile);
    }

    private async Task<string> Ok(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}");
        return result.Stdout;
    }
}
