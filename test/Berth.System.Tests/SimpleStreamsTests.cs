using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Client;

namespace Berth.System.Tests;

/// <summary>
/// berthd A publishes its public images as a simplestreams tree; the tree is served on 127.0.0.1 and berthd B
/// pulls from it by alias and by fingerprint.
/// </summary>
public sealed class SimpleStreamsTests : IAsyncLifetime
{
    private BerthdProcess _a = null!;
    private BerthdProcess _b = null!;
    private TestImageFiles _files = null!;
    private Process? _server;
    private readonly string _tree = Path.Combine(Path.GetTempPath(), "berth-ss-" + Guid.NewGuid().ToString("N")[..10]);
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _a = await BerthdProcess.StartAsync();
        _b = await BerthdProcess.StartAsync();
        _files = new TestImageFiles();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _files?.Dispose();
        if (Directory.Exists(_tree))
        {
            Directory.Delete(_tree, recursive: true);
        }
    }

    [Fact]
    public async Task SecondBerthd_PullsByAliasAndFingerprint_ByteIdentical()
    {
        await _a.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--public");
        await _a.LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "--alias", "bbsplit", "--public");
        await PublishTreeAsync();

        var byAlias = await PullAsync("""{"alias":"bb"}""", """[{"name":"pulled"}]""");
        var splitSha = TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);
        var byFingerprint = await PullAsync($$"""{"fingerprint":"{{splitSha[..16]}}"}""", "[]");

        Assert.Equal("Success", byAlias.GetProperty("status").GetString());
        Assert.Equal(TestImageFiles.Sha256(_files.Unified), byAlias.GetProperty("metadata").GetProperty("fingerprint").GetString());
        Assert.Equal("Success", byFingerprint.GetProperty("status").GetString());
        Assert.Equal(splitSha, byFingerprint.GetProperty("metadata").GetProperty("fingerprint").GetString());
        var list = await _b.LxcAsync("image", "list", "--format", "csv", "-c", "lf");
        Assert.Contains($"pulled,{TestImageFiles.Sha256(_files.Unified)[..12]}", list.Stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_b.Dir, "images", TestImageFiles.Sha256(_files.Unified))));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(_b.Dir, "images", splitSha + ".rootfs")));
    }

    [Fact]
    public async Task TamperedFile_FailsAndLeavesNothing()
    {
        await _a.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--public");
        await PublishTreeAsync();
        var served = Directory.GetFiles(Path.Combine(_tree, "streams", "files"), "*", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(served);
        bytes[^10] ^= 0xff;
        File.WriteAllBytes(served, bytes);

        var result = await PullAsync("""{"alias":"bb"}""", "[]");

        Assert.Equal("Failure", result.GetProperty("status").GetString());
        Assert.Contains("mismatch", result.GetProperty("err").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_b.Dir, "images")));
        Assert.Equal("", (await _b.LxcAsync("image", "list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task UnknownAlias_Fails()
    {
        await PublishTreeAsync();

        var result = await PullAsync("""{"alias":"nope"}""", "[]");

        Assert.Equal("Failure", result.GetProperty("status").GetString());
        Assert.Contains("not found", result.GetProperty("err").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Copies A's tree (index, products and public files) to disk and serves it on a free loopback port.</summary>
    private async Task PublishTreeAsync()
    {
        using var client = BerthClient.ConnectUnix(_a.Socket);
        var index = await GetAsync(client, "/streams/v1/index.json");
        var products = await GetAsync(client, "/streams/v1/images.json");
        Write("streams/v1/index.json", index);
        Write("streams/v1/images.json", products);
        using var doc = JsonDocument.Parse(products);
        foreach (var product in doc.RootElement.GetProperty("products").EnumerateObject())
        {
            foreach (var version in product.Value.GetProperty("versions").EnumerateObject())
            {
                foreach (var item in version.Value.GetProperty("items").EnumerateObject())
                {
                    var path = item.Value.GetProperty("path").GetString()!;
                    Write(path, await GetAsync(client, "/" + path));
                }
            }
        }

        _port = TestNetwork.FreePort();
        var start = new ProcessStartInfo("python3") { UseShellExecute = false, WorkingDirectory = _tree, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-m", "http.server", "--bind", "127.0.0.1", _port.ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        _server = Process.Start(start)!;
        using var probe = new HttpClient();
        for (var i = 0; i < 50; i++)
        {
            try
            {
                await probe.GetStringAsync($"http://127.0.0.1:{_port}/streams/v1/index.json", TestContext.Current.CancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Fail("the simplestreams test server did not start");
    }

    private async Task<JsonElement> PullAsync(string selector, string aliases)
    {
        using var client = BerthClient.ConnectUnix(_b.Socket);
        var source = JsonDocument.Parse(selector).RootElement;
        var body = $$"""{"source":{"type":"image","mode":"pull","server":"http://127.0.0.1:{{_port}}","protocol":"simplestreams"{{(source.TryGetProperty("alias", out var a) ? $",\"alias\":\"{a.GetString()}\"" : "")}}{{(source.TryGetProperty("fingerprint", out var f) ? $",\"fingerprint\":\"{f.GetString()}\"" : "")}}},"aliases":{{aliases}}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var (response, _) = await client.RawAsync(HttpMethod.Post, "/1.0/images", content, cancellationToken: TestContext.Current.CancellationToken);
        var id = response.Metadata.GetProperty("id").GetString();
        var (waited, _) = await client.RawAsync(HttpMethod.Get, $"/1.0/operations/{id}/wait?timeout=60", cancellationToken: TestContext.Current.CancellationToken);
        return waited.Metadata;
    }

    private static async Task<byte[]> GetAsync(BerthClient client, string path)
    {
        using var response = await client.Invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://unix.socket" + path), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
    }

    private void Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(_tree, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
