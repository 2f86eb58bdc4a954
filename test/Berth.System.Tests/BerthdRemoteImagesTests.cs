using System.Net;

namespace Berth.System.Tests;

/// <summary>
/// A second berthd copies images from a first over the LXD protocol (HTTPS): a public one as an untrusted client,
/// a private one with a secret that the first berthd hands out to a trusted lxc.
/// </summary>
public sealed class BerthdRemoteImagesTests : IAsyncLifetime
{
    private BerthdProcess _source = null!;
    private BerthdProcess _target = null!;
    private TestImageFiles _files = null!;
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _files = new TestImageFiles("Served by berthd");
        _source = await BerthdProcess.StartAsync();
        _target = await BerthdProcess.StartAsync();
        _port = TestNetwork.FreePort();

        await MustAsync(_source.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{_port}"));
        await MustAsync(_source.LxcAsync("config", "set", "core.trust_password", "img-secret-pw"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        _files?.Dispose();
    }

    private string Url => $"https://127.0.0.1:{_port}";

    [Fact]
    public async Task LxcImageCopy_PublicUntrusted_AndPrivateWithSecret_ByteIdentical()
    {
        await MustAsync(_source.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--public"));
        await MustAsync(_source.LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "--alias", "priv"));
        var sha = TestImageFiles.Sha256(_files.Unified);
        var splitSha = TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);

        // Untrusted: only the public image is visible, and it copies.
        await MustAsync(_target.LxcAsync("remote", "add", "pub", Url, "--public", "--accept-certificate"));
        var visible = await _target.LxcAsync("image", "list", "pub:", "--format", "csv", "-c", "lf");
        Assert.Equal($"bb,{sha[..12]}\n", visible.Stdout);
        Assert.Equal(1, (await _target.LxcAsync("image", "copy", "pub:priv", "local:")).ExitCode);
        await MustAsync(_target.LxcAsync("image", "copy", "pub:bb", "local:", "--alias", "copied"));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_target.Dir, "images", sha)));
        Assert.Contains($"Server: {Url}", (await _target.LxcAsync("image", "info", "copied")).Stdout, StringComparison.Ordinal);

        // Trusted lxc: it asks the source for a secret, the target berthd fetches the private image with it.
        await MustAsync(_target.LxcAsync("remote", "add", "src", Url, "--password", "img-secret-pw", "--accept-certificate"));
        await MustAsync(_target.LxcAsync("image", "copy", "src:priv", "local:", "--alias", "privcopy"));

        Assert.Equal(File.ReadAllBytes(_files.SplitMetadata), File.ReadAllBytes(Path.Combine(_target.Dir, "images", splitSha)));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(_target.Dir, "images", splitSha + ".rootfs")));
        Assert.Equal($"copied,{sha[..12]}\nprivcopy,{splitSha[..12]}\n", (await _target.LxcAsync("image", "list", "--format", "csv", "-c", "lf")).Stdout);
    }

    [Fact]
    public async Task Secret_LetsAnUntrustedClientExportAPrivateImageOnce()
    {
        await MustAsync(_source.LxcAsync("image", "import", _files.Unified, "--alias", "priv"));
        var sha = TestImageFiles.Sha256(_files.Unified);
        var token = await _source.LxcAsync("query", "-X", "POST", $"/1.0/images/{sha}/secret");
        await MustAsync(Task.FromResult(token));
        var secret = global::System.Text.Json.JsonDocument.Parse(token.Stdout).RootElement.GetProperty("metadata").GetProperty("secret").GetString();

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        var hidden = await http.GetAsync($"{Url}/1.0/images/{sha}", TestContext.Current.CancellationToken);
        var info = await http.GetAsync($"{Url}/1.0/images/{sha}?secret={secret}", TestContext.Current.CancellationToken);
        var export = await http.GetByteArrayAsync($"{Url}/1.0/images/{sha}/export?secret={secret}", TestContext.Current.CancellationToken);
        var again = await http.GetAsync($"{Url}/1.0/images/{sha}/export?secret={secret}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.Equal(File.ReadAllBytes(_files.Unified), export);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    private static async Task MustAsync(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
