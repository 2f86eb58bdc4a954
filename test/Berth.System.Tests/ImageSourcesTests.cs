using System.Text;
using System.Text.Json;
using Berth.Client;

namespace Berth.System.Tests;

/// <summary>
/// Images from a URL (LXD-Image-Hash / LXD-Image-URL headers), refresh and auto-update from a simplestreams source,
/// and cache expiry, all served by a python http.server on 127.0.0.1.
/// </summary>
public sealed class ImageSourcesTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;
    private LocalHttpServer _http = null!;
    private TestImageFiles _v1 = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        _http = await LocalHttpServer.StartAsync();
        _v1 = new TestImageFiles("Busybox v1");
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        await _http.DisposeAsync();
        _v1?.Dispose();
    }

    private string ImagesDir => Path.Combine(_berthd.Dir, "images");

    [Fact]
    public async Task Url_PylxdCreateFromUrl_StoresTheSameBytes()
    {
        var sha = TestImageFiles.Sha256(_v1.Unified);
        _http.Put("files/busybox.tar.gz", File.ReadAllBytes(_v1.Unified));
        _http.Put("headers.txt", $"LXD-Image-Hash: {sha}\nLXD-Image-URL: {_http.Url}/files/busybox.tar.gz\n");

        var result = await _berthd.PythonAsync($$"""
            import pylxd
            image = pylxd.Client().images.create_from_url('{{_http.Url}}/lxd-image', public=True)
            print(image.fingerprint, image.public, image.cached, image.properties['description'])
            """);

        Assert.True(result.ExitCode == 0, result + _berthd.Log());
        Assert.Equal($"{sha} True False Busybox v1", result.Stdout.Trim());
        Assert.Equal(File.ReadAllBytes(_v1.Unified), File.ReadAllBytes(Path.Combine(ImagesDir, sha)));
    }

    [Fact]
    public async Task Url_WrongHashMissingHeaderOrUnreachable_FailsAndLeavesNothing()
    {
        _http.Put("files/busybox.tar.gz", File.ReadAllBytes(_v1.Unified));
        _http.Put("headers.txt", $"LXD-Image-Hash: {new string('a', 64)}\nLXD-Image-URL: {_http.Url}/files/busybox.tar.gz\n");
        var wrongHash = await PostAsync($$$"""{"source":{"type":"url","mode":"pull","url":"{{{_http.Url}}}/lxd-image"}}""");
        _http.Put("headers.txt", $"LXD-Image-URL: {_http.Url}/files/busybox.tar.gz\n");
        var noHash = await PostAsync($$$"""{"source":{"type":"url","mode":"pull","url":"{{{_http.Url}}}/lxd-image"}}""");
        var unreachable = await PostAsync("""{"source":{"type":"url","mode":"pull","url":"http://127.0.0.1:9/lxd-image"}}""");
        var malformed = await PostRawAsync("""{"source":{"type":"url","mode":"pull","url":"not a url"}}""");

        Assert.Equal("Failure", wrongHash.GetProperty("status").GetString());
        Assert.Contains("mismatch", wrongHash.GetProperty("err").GetString(), StringComparison.Ordinal);
        Assert.Equal("Missing LXD-Image-Hash header", noHash.GetProperty("err").GetString());
        Assert.Equal("Failure", unreachable.GetProperty("status").GetString());
        Assert.Equal(400, malformed.GetProperty("error_code").GetInt32());
        Assert.Empty(Directory.EnumerateFileSystemEntries(ImagesDir));
        Assert.Equal("", (await _berthd.LxcAsync("image", "list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task Refresh_AndAutoUpdate_NewVersionTakesOverAliases()
    {
        using var v2 = new TestImageFiles("Busybox v2");
        using var v3 = new TestImageFiles("Busybox v3");
        _http.PutSimpleStreams("bb", _v1.Unified, "20260101_0000");
        var pulled = await PostAsync($$$"""{"auto_update":true,"aliases":[{"name":"mine"}],"source":{"type":"image","mode":"pull","server":"{{{_http.Url}}}","protocol":"simplestreams","alias":"bb"}}""");
        Assert.True(pulled.GetProperty("status").GetString() == "Success", pulled.ToString());

        var same = await _berthd.LxcAsync("image", "refresh", "mine");
        _http.PutSimpleStreams("bb", v2.Unified, "20260102_0000");
        var refresh = await _berthd.LxcAsync("image", "refresh", "mine");

        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("already up to date", same.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.True(refresh.ExitCode == 0, refresh.ToString());
        Assert.Contains("refreshed successfully", refresh.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"mine,{TestImageFiles.Sha256(v2.Unified)[..12]}\n", (await _berthd.LxcAsync("image", "list", "--format", "csv", "-c", "lf")).Stdout);
        Assert.Contains("auto_update: true", (await _berthd.LxcAsync("image", "show", "mine")).Stdout, StringComparison.Ordinal);
        Assert.Equal([TestImageFiles.Sha256(v2.Unified)], Directory.GetFiles(ImagesDir).Select(Path.GetFileName));

        // Changing the interval runs the auto-update task at once.
        _http.PutSimpleStreams("bb", v3.Unified, "20260103_0000");
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "images.auto_update_interval", "1")).ExitCode);
        var sha3 = TestImageFiles.Sha256(v3.Unified);
        var list = "";
        for (var i = 0; i < 60 && !list.Contains(sha3[..12], StringComparison.Ordinal); i++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            list = (await _berthd.LxcAsync("image", "list", "--format", "csv", "-c", "lf")).Stdout;
        }

        Assert.Equal($"mine,{sha3[..12]}\n", list);
        Assert.Equal([sha3], Directory.GetFiles(ImagesDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Refresh_ImageWithoutSource_FailsAndKeepsIt()
    {
        await _berthd.LxcAsync("image", "import", _v1.Unified, "--alias", "local");

        var refresh = await _berthd.LxcAsync("image", "refresh", "local");

        Assert.Equal(1, refresh.ExitCode);
        Assert.Contains("no update source", refresh.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(ImagesDir));
    }

    [Fact]
    public async Task CachedImage_UsedByAnInstance_ExpiresWhenUnused()
    {
        _http.PutSimpleStreams("bb", _v1.Unified, "20260101_0000");
        var sha = TestImageFiles.Sha256(_v1.Unified);
        var name = "exp" + Guid.NewGuid().ToString("N")[..6];
        var created = await PostAsync($$$"""{"name":"{{{name}}}","source":{"type":"image","mode":"pull","server":"{{{_http.Url}}}","protocol":"simplestreams","alias":"bb"}}""", "/1.0/instances");
        Assert.True(created.GetProperty("status").GetString() == "Success", created.ToString() + _berthd.Log());

        var info = JsonDocument.Parse((await _berthd.LxcAsync("query", "/1.0/images/" + sha)).Stdout).RootElement;
        Assert.True(info.GetProperty("cached").GetBoolean());
        Assert.True(info.GetProperty("last_used_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        // Ten days (the default) have not passed: the image stays. An expiry of 0 days removes it at once.
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "images.remote_cache_expiry", "5")).ExitCode);
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        Assert.Single(Directory.GetFiles(ImagesDir));
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "images.remote_cache_expiry", "0")).ExitCode);
        for (var i = 0; i < 40 && Directory.GetFiles(ImagesDir).Length > 0; i++)
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Empty(Directory.GetFiles(ImagesDir));
        Assert.Equal("", (await _berthd.LxcAsync("image", "list", "--format", "csv")).Stdout);
        Assert.Equal(0, (await _berthd.LxcAsync("delete", name)).ExitCode);
    }

    /// <summary>POSTs and waits for the operation; returns the finished operation.</summary>
    private async Task<JsonElement> PostAsync(string body, string path = "/1.0/images")
    {
        using var client = BerthClient.ConnectUnix(_berthd.Socket);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var (response, _) = await client.RawAsync(HttpMethod.Post, path, content, cancellationToken: TestContext.Current.CancellationToken);
        var id = response.Metadata.GetProperty("id").GetString();
        var (waited, _) = await client.RawAsync(HttpMethod.Get, $"/1.0/operations/{id}/wait?timeout=60", cancellationToken: TestContext.Current.CancellationToken);
        return waited.Metadata;
    }

    /// <summary>The raw envelope of a request expected to fail synchronously.</summary>
    private async Task<JsonElement> PostRawAsync(string body)
    {
        using var client = BerthClient.ConnectUnix(_berthd.Socket);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://unix.socket/1.0/images") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await client.Invoker.SendAsync(request, TestContext.Current.CancellationToken);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
    }
}
