using System.Text;
using System.Text.Json;
using Berth.Client;

namespace Berth.System.Tests;

/// <summary>
/// berthd pulling images over the LXD protocol (HTTPS) from Debian's real LXD 5.0, driven by Debian's lxc
/// (<c>lxc image copy lxdsrc:bb local:</c>) and by the API directly.
/// </summary>
public sealed class LxdRemoteImagesTests : IAsyncLifetime
{
    private LxdProcess _lxd = null!;
    private BerthdProcess _berthd = null!;
    private TestImageFiles _files = null!;

    public async ValueTask InitializeAsync()
    {
        _files = new TestImageFiles("From LXD");
        _lxd = await LxdProcess.StartAsync();
        _berthd = await BerthdProcess.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_berthd is not null)
        {
            await _berthd.DisposeAsync();
        }

        if (_lxd is not null)
        {
            await _lxd.DisposeAsync();
        }

        _files?.Dispose();
    }

    private string ImagesDir => Path.Combine(_berthd.Dir, "images");

    [Fact]
    public async Task LxcImageCopy_PublicByAlias_AndPrivateSplitWithSecret_ByteIdentical()
    {
        Assert.Equal(0, (await _lxd.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--public")).ExitCode);
        Assert.Equal(0, (await _lxd.LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "--alias", "priv")).ExitCode);
        var sha = TestImageFiles.Sha256(_files.Unified);
        var splitSha = TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);

        Assert.Equal(0, (await _berthd.LxcAsync("remote", "add", "lxdsrc", _lxd.Url, "--public", "--accept-certificate")).ExitCode);
        var copy = await _berthd.LxcAsync("image", "copy", "lxdsrc:bb", "local:", "--alias", "copied");

        Assert.True(copy.ExitCode == 0, copy + _berthd.Log());
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(ImagesDir, sha)));
        var info = await _berthd.LxcAsync("image", "info", "copied");
        Assert.Contains($"Fingerprint: {sha}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Server: {_lxd.Url}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("Alias: bb", info.Stdout, StringComparison.Ordinal);

        // A private image: lxc asks LXD for a secret (so it must be trusted there) and berthd fetches with it.
        // lxc makes its client certificate when first adding a non-public remote; answering no password does it.
        await _berthd.LxcStdinAsync("", "remote", "add", "gen", _lxd.Url, "--accept-certificate");
        var trust = await _lxd.LxcAsync("config", "trust", "add", Path.Combine(_berthd.ClientConf, "client.crt"));
        Assert.True(trust.ExitCode == 0, trust.ToString());
        Assert.Equal(0, (await _berthd.LxcAsync("remote", "remove", "lxdsrc")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("remote", "add", "lxdsrc", _lxd.Url, "--accept-certificate")).ExitCode);
        var privateCopy = await _berthd.LxcAsync("image", "copy", "lxdsrc:priv", "local:", "--alias", "privcopy");

        Assert.True(privateCopy.ExitCode == 0, privateCopy + _berthd.Log());
        Assert.Equal(File.ReadAllBytes(_files.SplitMetadata), File.ReadAllBytes(Path.Combine(ImagesDir, splitSha)));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(ImagesDir, splitSha + ".rootfs")));
    }

    [Fact]
    public async Task Pull_ReportsProgress_AndRefreshFollowsTheAlias()
    {
        using var v2 = new TestImageFiles("From LXD v2");
        await _lxd.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--public");

        var pulled = await PullAsync("\"alias\":\"bb\"", _lxd.Certificate);
        Assert.True(pulled.GetProperty("status").GetString() == "Success", pulled.ToString());
        Assert.StartsWith("rootfs: 100%", pulled.GetProperty("metadata").GetProperty("download_progress").GetString(), StringComparison.Ordinal);

        var sha2 = TestImageFiles.Sha256(v2.Unified);
        await _lxd.LxcAsync("image", "import", v2.Unified, "--public");
        await _lxd.LxcAsync("image", "alias", "delete", "bb");
        await _lxd.LxcAsync("image", "alias", "create", "bb", sha2);
        var refresh = await _berthd.LxcAsync("image", "refresh", "mine");

        Assert.True(refresh.ExitCode == 0, refresh + _berthd.Log());
        Assert.Equal($"mine,{sha2[..12]}\n", (await _berthd.LxcAsync("image", "list", "--format", "csv", "-c", "lf")).Stdout);
        Assert.Equal([sha2], Directory.GetFiles(ImagesDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Pull_UnknownAliasWrongCertificateOrNoServer_FailsAndLeavesNothing()
    {
        await _lxd.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--public");
        var otherCertificate = File.ReadAllText(Path.Combine(_berthd.Dir, "server.crt"));

        var unknown = await PullAsync("\"alias\":\"nope\"", _lxd.Certificate);
        var wrongFingerprint = await PullAsync($"\"fingerprint\":\"{new string('0', 64)}\"", _lxd.Certificate);
        var wrongCertificate = await PullAsync("\"alias\":\"bb\"", otherCertificate);
        var noServer = await PullAsync("\"alias\":\"bb\"", _lxd.Certificate, "https://127.0.0.1:9");

        Assert.Contains("not found", unknown.GetProperty("err").GetString(), StringComparison.Ordinal);
        Assert.Contains("not found", wrongFingerprint.GetProperty("err").GetString(), StringComparison.Ordinal);
        Assert.Equal("Failure", wrongCertificate.GetProperty("status").GetString());
        Assert.Equal("Failure", noServer.GetProperty("status").GetString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(ImagesDir));
        Assert.Equal("", (await _berthd.LxcAsync("image", "list", "--format", "csv")).Stdout);
    }

    private async Task<JsonElement> PullAsync(string selector, string certificate, string? server = null)
    {
        using var client = BerthClient.ConnectUnix(_berthd.Socket);
        var source = $$"""{"type":"image","mode":"pull","protocol":"lxd","server":"{{server ?? _lxd.Url}}","certificate":{{JsonSerializer.Serialize(certificate)}},{{selector}} }""";
        var body = $$"""{"aliases":[{"name":"mine"}],"source":{{source}} }""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var (response, _) = await client.RawAsync(HttpMethod.Post, "/1.0/images", content, cancellationToken: TestContext.Current.CancellationToken);
        var id = response.Metadata.GetProperty("id").GetString();
        var (waited, _) = await client.RawAsync(HttpMethod.Get, $"/1.0/operations/{id}/wait?timeout=60", cancellationToken: TestContext.Current.CancellationToken);
        return waited.Metadata;
    }
}
