namespace Berth.System.Tests;

/// <summary>Debian's lxc 5.0.2 against a real berthd: what a user types and sees.</summary>
public sealed class LxcClientTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync() => _berthd = await BerthdProcess.StartAsync();

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Info_ShowsThisServer()
    {
        var info = await _berthd.LxcAsync("info");

        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("api_version: \"1.0\"", info.Stdout, StringComparison.Ordinal);
        Assert.Contains($"server_pid: {_berthd.Pid}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("auth: trusted", info.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigSetGetUnset_RoundTrips()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "images.auto_update_interval", "5")).ExitCode);
        Assert.Equal("5", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());

        Assert.Equal(0, (await _berthd.LxcAsync("config", "unset", "images.auto_update_interval")).ExitCode);
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());
    }

    [Fact]
    public async Task ConfigSet_UnknownKey_FailsAndChangesNothing()
    {
        await _berthd.LxcAsync("config", "set", "images.remote_cache_expiry", "3");

        var bad = await _berthd.LxcAsync("config", "set", "no.such.key", "1");

        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("no.such.key", bad.Stderr, StringComparison.Ordinal);
        var show = await _berthd.LxcAsync("config", "show");
        Assert.Equal("config:\n  images.remote_cache_expiry: \"3\"\n", show.Stdout);
    }

    [Fact]
    public async Task TrustPassword_IsShownAsTrue()
    {
        await _berthd.LxcAsync("config", "set", "core.trust_password", "sekret");

        var get = await _berthd.LxcAsync("config", "get", "core.trust_password");

        Assert.Equal("true", get.Stdout.Trim());
        Assert.DoesNotContain("sekret", await File.ReadAllTextAsync(Path.Combine(_berthd.Dir, "database", "berth.db"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_CreateSetShowEditRenameDelete()
    {
        Assert.Equal("Profile web created", (await _berthd.LxcAsync("profile", "create", "web")).Stdout.Trim());
        Assert.Equal(0, (await _berthd.LxcAsync("profile", "set", "web", "limits.memory", "128MB")).ExitCode);
        var show = await _berthd.LxcAsync("profile", "show", "web");
        Assert.Equal("config:\n  limits.memory: 128MB\ndescription: \"\"\ndevices: {}\nname: web\nused_by: []\n", show.Stdout);

        var edit = await _berthd.LxcStdinAsync("description: Web servers\nconfig:\n  limits.cpu: \"2\"\ndevices: {}\n", "profile", "edit", "web");
        Assert.True(edit.ExitCode == 0, edit.ToString());
        Assert.Equal("2", (await _berthd.LxcAsync("profile", "get", "web", "limits.cpu")).Stdout.Trim());
        Assert.Equal("", (await _berthd.LxcAsync("profile", "get", "web", "limits.memory")).Stdout.Trim());

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "rename", "web", "www")).ExitCode);
        var list = await _berthd.LxcAsync("profile", "list", "--format", "csv");
        Assert.Equal("default,Default LXD profile,0\nwww,Web servers,0\n", list.Stdout);

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "delete", "www")).ExitCode);
        Assert.Equal("default,Default LXD profile,0\n", (await _berthd.LxcAsync("profile", "list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task ProfileSet_Banana_FailsAndKeepsValue()
    {
        await _berthd.LxcAsync("profile", "create", "p");
        await _berthd.LxcAsync("profile", "set", "p", "limits.memory", "1GiB");

        var bad = await _berthd.LxcAsync("profile", "set", "p", "limits.memory", "banana");

        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("Error:", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal("1GiB", (await _berthd.LxcAsync("profile", "get", "p", "limits.memory")).Stdout.Trim());
    }

    [Fact]
    public async Task ProfileDevice_AddShowRemove()
    {
        await _berthd.LxcAsync("profile", "create", "dev");

        var add = await _berthd.LxcAsync("profile", "device", "add", "dev", "data", "disk", "source=/srv", "path=/srv");
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal("data:\n  path: /srv\n  source: /srv\n  type: disk\n", (await _berthd.LxcAsync("profile", "device", "show", "dev")).Stdout);

        Assert.Equal(0, (await _berthd.LxcAsync("profile", "device", "remove", "dev", "data")).ExitCode);
        Assert.Equal("{}\n", (await _berthd.LxcAsync("profile", "device", "show", "dev")).Stdout);
    }

    [Fact]
    public async Task ProfileDelete_Default_Fails()
    {
        var result = await _berthd.LxcAsync("profile", "delete", "default");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot be deleted", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperationList_IsEmptyTable()
    {
        var result = await _berthd.LxcAsync("operation", "list", "--format", "csv");
        Assert.Equal((0, ""), (result.ExitCode, result.Stdout));
    }

    [Fact]
    public async Task Cluster_NotClustered_AsLxdSaysIt()
    {
        var list = await _berthd.LxcAsync("cluster", "list");
        Assert.Equal(1, list.ExitCode);
        Assert.EndsWith("Error: LXD server isn't part of a cluster", list.Stderr.Trim(), StringComparison.Ordinal);

        var enable = await _berthd.LxcAsync("cluster", "enable", "n1");
        Assert.Equal(1, enable.ExitCode);
        Assert.Contains("Clustering is not supported by this berthd yet", enable.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"enabled\": false", (await _berthd.LxcAsync("query", "/1.0/cluster")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkAcls_NotImplemented_SaidSo()
    {
        var create = await _berthd.LxcAsync("network", "acl", "create", "a1");
        Assert.Equal(1, create.ExitCode);
        Assert.Contains("Network ACLs are not implemented by berthd yet", create.Stderr, StringComparison.Ordinal);
        var list = await _berthd.LxcAsync("network", "zone", "list");
        Assert.Equal(1, list.ExitCode);
        Assert.Contains("Network zones are not implemented by berthd yet", list.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_GetsPostsAndFails()
    {
        var get = await _berthd.LxcAsync("query", "/1.0/profiles");
        Assert.Equal("[\n\t\"/1.0/profiles/default\"\n]\n\n", get.Stdout);

        var post = await _berthd.LxcAsync("query", "-X", "POST", "-d", """{"name":"q1","description":"from query"}""", "/1.0/profiles");
        Assert.True(post.ExitCode == 0, post.ToString());
        Assert.Contains("description: from query", (await _berthd.LxcAsync("profile", "show", "q1")).Stdout, StringComparison.Ordinal);

        var missing = await _berthd.LxcAsync("query", "/1.0/nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_SeesLifecycleEvents()
    {
        var monitor = ProcessRunner.RunAsync("timeout", ["4", SystemRequirements.Tool("lxc"), "monitor", "--type", "lifecycle"], _berthd.Env, timeout: TimeSpan.FromSeconds(20));
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        await _berthd.LxcAsync("profile", "create", "watched");

        var output = (await monitor).Stdout;

        Assert.Contains("action: profile-created", output, StringComparison.Ordinal);
        Assert.Contains("source: /1.0/profiles/watched", output, StringComparison.Ordinal);
        Assert.DoesNotContain("type: logging", output, StringComparison.Ordinal);
    }
}
