using Berth.Api;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Images;

namespace Berth.Server.Tests.Images;

public sealed class ImageServiceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private SqliteStateStore _store = null!;
    private ImageService _images = null!;
    private ImageAliasService _aliases = null!;

    public ValueTask InitializeAsync()
    {
        _store = SqliteStateStore.Open(_dir.File("state.db"));
        var events = new EventHub(TimeProvider.System);
        _images = new ImageService(_store, events, TimeProvider.System, new ImageStoreOptions { Dir = _dir.File("images") });
        _aliases = new ImageAliasService(_store, events);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Import_StoresBytesAsFingerprintFile()
    {
        var bytes = TestImages.Unified();

        var image = await ImportAsync(bytes);

        Assert.Equal(TestImages.Sha256(bytes), image.Fingerprint);
        Assert.Equal(bytes, File.ReadAllBytes(_images.FilePath(image.Fingerprint)));
        Assert.Equal(bytes.Length, image.Size);
        Assert.Equal("Test image", _images.Get("default", image.Fingerprint[..12]).Properties["description"]);
    }

    [Fact]
    public async Task Import_FingerprintHeaderMismatch_Throws400AndLeavesNothing()
    {
        var e = await Assert.ThrowsAsync<ApiException>(() => ImportAsync(TestImages.Unified(), expected: new string('a', 64)));

        Assert.Equal(400, e.Status);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.Dir));
        Assert.Empty(_images.List("default"));
    }

    [Fact]
    public async Task Import_ExpiresAtGiven_KeptElseEpoch()
    {
        var bytes = TestImages.Unified();
        var path = _images.NewUploadPath();
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        var expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var image = await _images.ImportAsync(new ImageUpload(path, null, TestImages.Sha256(bytes), bytes.Length, "t.tar.gz", false, [], null) { ExpiresAt = expires }, null, default);

        Assert.Equal(expires, _images.Get("default", image.Fingerprint).ExpiresAt);
    }

    [Fact]
    public async Task Import_Corrupt_LeavesNothing()
    {
        var bytes = TestImages.Unified();
        await Assert.ThrowsAsync<ApiException>(() => ImportAsync(bytes[..100]));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.Dir));
    }

    [Fact]
    public async Task Import_LargeCorruptInTheMiddle_AcceptedThenRemoved()
    {
        var image = await ImportAsync(TestImages.CorruptMiddle(TestImages.Large()));

        await _images.VerifiedAsync(image.Fingerprint);

        Assert.Empty(_images.List("default"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.Dir));
    }

    [Fact]
    public async Task DeleteTargetingInAllProjects_RemovesOnlyThatImagesAliases()
    {
        var keep = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 1)));
        var drop = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 2)));
        await _aliases.CreateAsync("default", new ImageAliasesPost { Name = "keep", Target = keep.Fingerprint }, null, default);
        await _aliases.CreateAsync("default", new ImageAliasesPost { Name = "drop", Target = drop.Fingerprint }, null, default);

        await _store.TransactionAsync(tx =>
        {
            ImageAliasService.DeleteTargetingInAllProjects(tx, drop.Fingerprint);
            return true;
        }, default);

        Assert.Equal("keep", Assert.Single(_aliases.List("default")).Name);
    }

    [Fact]
    public async Task Import_LargeWhole_StaysAfterItsCheck()
    {
        var image = await ImportAsync(TestImages.Large());

        await _images.VerifiedAsync(image.Fingerprint);

        Assert.Equal(image.Fingerprint, Assert.Single(_images.List("default")).Fingerprint);
        Assert.True(File.Exists(_images.FilePath(image.Fingerprint)));
    }

    [Fact]
    public async Task Import_Duplicate_Throws409AndKeepsOriginal()
    {
        var bytes = TestImages.Unified();
        var first = await ImportAsync(bytes);

        var e = await Assert.ThrowsAsync<ApiException>(() => ImportAsync(bytes));

        Assert.Equal(409, e.Status);
        Assert.True(File.Exists(_images.FilePath(first.Fingerprint)));
        Assert.Single(Directory.EnumerateFiles(_images.Dir));
    }

    [Fact]
    public async Task Get_AmbiguousPrefixIs400_UnknownIs404()
    {
        var a = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 1)));
        var b = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 2)));
        var common = new string(a.Fingerprint.TakeWhile((c, i) => b.Fingerprint[i] == c).ToArray());

        if (common.Length > 0)
        {
            Assert.Equal(400, Assert.Throws<ApiException>(() => _images.Get("default", common)).Status);
        }

        Assert.Equal(404, Assert.Throws<ApiException>(() => _images.Get("default", "zz")).Status);
        Assert.Equal(a.Fingerprint, _images.Get("default", a.Fingerprint[..(common.Length + 1)]).Fingerprint);
    }

    [Fact]
    public async Task Aliases_CreateRenameDuplicateAndDeleteWithImage()
    {
        var image = await ImportAsync(TestImages.Unified());
        await _aliases.CreateAsync("default", new ImageAliasesPost { Name = "test/one", Target = image.Fingerprint }, null, default);

        Assert.Equal(409, (await Assert.ThrowsAsync<ApiException>(() => _aliases.CreateAsync("default", new ImageAliasesPost { Name = "test/one", Target = image.Fingerprint }, null, default))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => _aliases.CreateAsync("default", new ImageAliasesPost { Name = "x", Target = new string('b', 64) }, null, default))).Status);
        await _aliases.RenameAsync("default", "test/one", "two", null, default);
        Assert.Equal(["two"], _images.Get("default", image.Fingerprint).Aliases.Select(a => a.Name));

        await _images.DeleteAsync("default", image.Fingerprint, null, default);

        Assert.Empty(_aliases.List("default"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.Dir));
    }

    [Fact]
    public async Task Update_StaleETag_Is412()
    {
        var image = await ImportAsync(TestImages.Unified());
        var etag = ImageService.ETagOf(_images.Get("default", image.Fingerprint));
        await _images.UpdateAsync("default", image.Fingerprint, new ImagePut { Public = true, Properties = new() { ["os"] = "x" } }, etag, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() => _images.UpdateAsync("default", image.Fingerprint, new ImagePut(), etag, null, default));

        Assert.Equal(412, e.Status);
        Assert.True(_images.Get("default", image.Fingerprint).Public);
    }

    [Fact]
    public async Task ExpiredCached_CountsFromLastUse_OnlyCachedImages()
    {
        var cached = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 1)), cached: true);
        var uploaded = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 2)));
        var now = DateTimeOffset.UtcNow;

        Assert.Empty(_images.ExpiredCached(now.AddDays(9), 10));
        Assert.Equal([cached.Fingerprint], _images.ExpiredCached(now.AddDays(11), 10).Select(i => i.Fingerprint));
        await _images.MarkUsedAsync(cached.Fingerprint, default);
        Assert.True(_images.Get("default", cached.Fingerprint).LastUsedAt >= now);
        Assert.DoesNotContain(uploaded.Fingerprint, _images.ExpiredCached(now.AddDays(100), 0).Select(i => i.Fingerprint));
    }

    [Fact]
    public async Task Replace_MovesAliasesAndRemovesTheOldImage()
    {
        var old = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 1)));
        var fresh = await ImportAsync(TestImages.Unified(TestImages.Metadata(created: 2)));
        await _aliases.CreateAsync("default", new ImageAliasesPost { Name = "a", Target = old.Fingerprint }, null, default);

        await _images.ReplaceAsync("default", old.Fingerprint, fresh.Fingerprint, null, default);

        Assert.Equal(fresh.Fingerprint, _aliases.Get("default", "a").Target);
        Assert.Equal([fresh.Fingerprint], _images.List("default").Select(i => i.Fingerprint));
        Assert.False(File.Exists(_images.FilePath(old.Fingerprint)));
    }

    private async Task<Image> ImportAsync(byte[] bytes, string? expected = null, bool cached = false)
    {
        var path = _images.NewUploadPath();
        await File.WriteAllBytesAsync(path, bytes);
        return await _images.ImportAsync(new ImageUpload(path, null, TestImages.Sha256(bytes), bytes.Length, "t.tar.gz", false, [], expected) { Cached = cached }, null, default);
    }
}
