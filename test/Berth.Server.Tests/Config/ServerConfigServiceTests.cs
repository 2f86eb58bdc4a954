using Berth.Api;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Security;

namespace Berth.Server.Tests.Config;

public sealed class ServerConfigServiceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private SqliteStateStore _store = null!;
    private ServerConfigService _config = null!;

    public ValueTask InitializeAsync()
    {
        _store = SqliteStateStore.Open(_dir.File("state.db"));
        _config = new ServerConfigService(_store, new EventHub(TimeProvider.System));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task TrustPassword_IsStoredHashedAndShownAsTrue()
    {
        await _config.PatchAsync(new() { ["core.trust_password"] = "sekret" }, null, null, default);

        var stored = _config.Stored()["core.trust_password"];
        Assert.DoesNotContain("sekret", stored, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("sekret", stored));
        Assert.Equal("true", _config.Visible()["core.trust_password"]);
    }

    [Fact]
    public async Task Replace_EchoingRenderedSecret_KeepsTheHash()
    {
        await _config.PatchAsync(new() { ["core.trust_password"] = "sekret" }, null, null, default);
        var hash = _config.Stored()["core.trust_password"];
        var visible = _config.Visible();
        visible["images.auto_update_interval"] = "12";

        await _config.ReplaceAsync(visible, null, null, default);

        Assert.Equal(hash, _config.Stored()["core.trust_password"]);
        Assert.Equal("12", _config.Stored()["images.auto_update_interval"]);
    }

    [Fact]
    public async Task Patch_EmptyValue_UnsetsKey()
    {
        await _config.PatchAsync(new() { ["images.auto_update_interval"] = "3" }, null, null, default);
        await _config.PatchAsync(new() { ["images.auto_update_interval"] = "" }, null, null, default);

        Assert.False(_config.Stored().ContainsKey("images.auto_update_interval"));
    }

    [Fact]
    public async Task Patch_UnknownKey_Throws400AndChangesNothing()
    {
        await _config.PatchAsync(new() { ["images.auto_update_interval"] = "3" }, null, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() =>
            _config.PatchAsync(new() { ["images.auto_update_interval"] = "4", ["no.such.key"] = "x" }, null, null, default));

        Assert.Equal(400, e.Status);
        Assert.Equal("3", _config.Stored()["images.auto_update_interval"]);
    }

    [Fact]
    public async Task Replace_StaleETag_Throws412()
    {
        var etag = ServerConfigService.ETagOf(_config.Visible());
        await _config.PatchAsync(new() { ["images.auto_update_interval"] = "3" }, etag, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() => _config.ReplaceAsync([], etag, null, default));

        Assert.Equal(412, e.Status);
    }

    [Fact]
    public void PasswordHash_WrongPassword_DoesNotVerify()
    {
        var hash = PasswordHash.Hash("right");
        Assert.False(PasswordHash.Verify("wrong", hash));
        Assert.NotEqual(hash, PasswordHash.Hash("right"));
    }
}
