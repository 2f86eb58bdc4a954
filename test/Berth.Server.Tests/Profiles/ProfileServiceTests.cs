using Berth.Api;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Profiles;

namespace Berth.Server.Tests.Profiles;

public sealed class ProfileServiceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private SqliteStateStore _store = null!;
    private ProfileService _profiles = null!;

    public async ValueTask InitializeAsync()
    {
        _store = SqliteStateStore.Open(_dir.File("state.db"));
        _profiles = new ProfileService(_store, new EventHub(TimeProvider.System), new NoProfileUsers());
        await _profiles.EnsureDefaultAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void EnsureDefault_CreatesDefaultProfile()
    {
        var profile = _profiles.Get("default", "default");
        Assert.Equal("Default LXD profile", profile.Description);
        Assert.Empty(profile.Devices);
    }

    [Fact]
    public async Task Create_Existing_Throws409AndKeepsOriginal()
    {
        await _profiles.CreateAsync("default", new ProfilesPost { Name = "p", Description = "first" }, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() => _profiles.CreateAsync("default", new ProfilesPost { Name = "p", Description = "second" }, null, default));

        Assert.Equal(409, e.Status);
        Assert.Equal("first", _profiles.Get("default", "p").Description);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("with space")]
    public async Task Create_InvalidName_Throws400(string name)
    {
        var e = await Assert.ThrowsAsync<ApiException>(() => _profiles.CreateAsync("default", new ProfilesPost { Name = name }, null, default));
        Assert.Equal(400, e.Status);
        Assert.Equal(["default"], _profiles.Names("default"));
    }

    [Fact]
    public async Task Replace_StaleETag_Throws412AndChangesNothing()
    {
        await _profiles.CreateAsync("default", new ProfilesPost { Name = "p" }, null, default);
        var etag = ProfileService.ETagOf(_profiles.Get("default", "p"));
        await _profiles.ReplaceAsync("default", "p", new ProfilePut { Description = "changed" }, etag, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() => _profiles.ReplaceAsync("default", "p", new ProfilePut { Description = "again" }, etag, null, default));

        Assert.Equal(412, e.Status);
        Assert.Equal("changed", _profiles.Get("default", "p").Description);
    }

    [Fact]
    public async Task Patch_MergesConfigAndDevicesAndKeepsDescription()
    {
        await _profiles.CreateAsync("default", new ProfilesPost
        {
            Name = "p",
            Description = "keep",
            Config = new() { ["limits.cpu"] = "1" },
            Devices = new() { ["root"] = new() { ["type"] = "disk", ["path"] = "/", ["pool"] = "default" } },
        }, null, default);

        using var patch = System.Text.Json.JsonDocument.Parse("""{"config":{"limits.memory":"1GiB"}}""");
        await _profiles.PatchAsync("default", "p", patch.RootElement, null, null, default);

        var profile = _profiles.Get("default", "p");
        Assert.Equal("keep", profile.Description);
        Assert.Equal("1", profile.Config["limits.cpu"]);
        Assert.Equal("1GiB", profile.Config["limits.memory"]);
        Assert.True(profile.Devices.ContainsKey("root"));
    }

    [Fact]
    public async Task ReplaceAndPatch_EmptyDeviceKey_IsUnsetNotStored()
    {
        await _profiles.CreateAsync("default", new ProfilesPost
        {
            Name = "p",
            Devices = new() { ["eth0"] = new() { ["type"] = "nic", ["nictype"] = "p2p", ["limits.egress"] = "100Mbit" } },
        }, null, default);

        // lxc profile device unset sends the whole profile back with the key set to "".
        await _profiles.ReplaceAsync("default", "p", new ProfilePut
        {
            Devices = new() { ["eth0"] = new() { ["type"] = "nic", ["nictype"] = "p2p", ["limits.egress"] = "" } },
        }, null, null, default);
        Assert.Equal(["nictype", "type"], _profiles.Get("default", "p").Devices["eth0"].Keys.Order(StringComparer.Ordinal));

        using var patch = System.Text.Json.JsonDocument.Parse("""{"devices":{"eth0":{"type":"nic","nictype":"p2p","limits.ingress":""}}}""");
        await _profiles.PatchAsync("default", "p", patch.RootElement, null, null, default);
        Assert.False(_profiles.Get("default", "p").Devices["eth0"].ContainsKey("limits.ingress"));
    }

    [Fact]
    public async Task Rename_MovesProfileAndRefusesDefault()
    {
        await _profiles.CreateAsync("default", new ProfilesPost { Name = "old", Description = "d" }, null, default);

        await _profiles.RenameAsync("default", "old", "new", null, default);

        Assert.Equal("d", _profiles.Get("default", "new").Description);
        Assert.Equal(404, Assert.Throws<ApiException>(() => _profiles.Get("default", "old")).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<ApiException>(() => _profiles.RenameAsync("default", "default", "x", null, default))).Status);
    }

    [Fact]
    public async Task Delete_DefaultIsForbiddenMissingIs404()
    {
        Assert.Equal(403, (await Assert.ThrowsAsync<ApiException>(() => _profiles.DeleteAsync("default", "default", null, default))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => _profiles.DeleteAsync("default", "nope", null, default))).Status);
    }

    [Fact]
    public async Task Delete_InUse_Throws400()
    {
        var profiles = new ProfileService(_store, new EventHub(TimeProvider.System), new FixedUsers());
        await profiles.CreateAsync("default", new ProfilesPost { Name = "used" }, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() => profiles.DeleteAsync("default", "used", null, default));

        Assert.Equal(400, e.Status);
        Assert.Contains("used", profiles.Names("default"));
    }

    private sealed class FixedUsers : IProfileUsers
    {
        public IReadOnlyList<string> UsersOf(string project, string profile) => ["/1.0/instances/c1"];

        public void Rename(IStateTransaction tx, string project, string oldName, string newName)
        {
        }
    }
}
