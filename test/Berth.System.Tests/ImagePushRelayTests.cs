using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>
/// <c>image copy --mode push</c> and <c>--mode relay</c> between two berthd servers through Debian's lxc and berth:
/// a (the source) is a unix remote, b (the target) an HTTPS remote with a trust password, since in push mode a
/// connects to b at the address and certificate the client knows. Also what b refuses: an untrusted upload
/// without, or with a wrong, push secret, and one whose bytes are not the image the token named.
/// </summary>
public sealed class ImagePushRelayTests : IAsyncLifetime
{
    private const string Password = "imgpush-pw";
    private readonly string _conf = Path.Combine(Path.GetTempPath(), "berth-push-" + Guid.NewGuid().ToString("N")[..8]);
    private BerthdProcess _a = null!;
    private BerthdProcess _b = null!;
    private TestImageFiles _files = null!;
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _files = new TestImageFiles("Pushed between berthds");
        _a = await BerthdProcess.StartAsync();
        _b = await BerthdProcess.StartAsync();
        _port = TestNetwork.FreePort();
        await MustAsync(_b.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{_port}"));
        await MustAsync(_b.LxcAsync("config", "set", "core.trust_password", Password));

        await TwoServerClient.WriteAsync(_conf, _a);
        await MustAsync(LxcAsync("remote", "add", "b", Url, "--password", Password, "--accept-certificate"));

        await MustAsync(LxcAsync("image", "import", _files.Unified, "a:", "--alias", "bb", "--alias", "bb-extra", "--public"));
        await MustAsync(LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "a:", "--alias", "priv", "--alias", "priv-extra"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        _files?.Dispose();
        if (Directory.Exists(_conf))
        {
            Directory.Delete(_conf, recursive: true);
        }
    }

    private string Url => $"https://127.0.0.1:{_port}";

    private string UnifiedSha => TestImageFiles.Sha256(_files.Unified);

    private string SplitSha => TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);

    private Task<ProcessResult> LxcAsync(params string[] args) => TwoServerClient.LxcAsync(_conf, args);

    private Task<ProcessResult> BerthAsync(params string[] args) =>
        ProcessRunner.RunAsync(Path.Combine(_a.Bin, "berth"), args, new Dictionary<string, string> { ["LXD_CONF"] = _conf, ["BERTH_CONF"] = _conf, ["HOME"] = _conf }, timeout: TimeSpan.FromMinutes(3));

    private string Logs() => "\n--- a ---\n" + _a.Log() + "\n--- b ---\n" + _b.Log();

    [Fact]
    public async Task LxcPush_BuiltImageByAlias_AliasAndCopyAliases_TargetHasItAndLaunchesIt()
    {
        await MustAsync(_a.BerthAsync("image", "build", "busybox", "--alias", "busybox", "--alias", "bx"));
        var fingerprint = JsonDocument.Parse((await MustAsync(LxcAsync("query", "a:/1.0/images/aliases/busybox"))).Stdout).RootElement.GetProperty("target").GetString()!;

        var push = await LxcAsync("image", "copy", "a:busybox", "b:", "--mode", "push", "--alias", "x", "--copy-aliases");

        Assert.True(push.ExitCode == 0, push + Logs());
        Assert.Equal($"busybox,{fingerprint[..12]}\nbx,{fingerprint[..12]}\nx,{fingerprint[..12]}\n", await AliasesAsync("b:"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_a.Dir, "images", fingerprint)), File.ReadAllBytes(Path.Combine(_b.Dir, "images", fingerprint)));
        Assert.Contains("public: false", (await MustAsync(LxcAsync("image", "show", "b:x"))).Stdout, StringComparison.Ordinal);

        var launch = await LxcAsync("launch", "b:x", "b:pushed");
        Assert.True(launch.ExitCode == 0, launch + Logs());
        Assert.Equal("pushed\n", (await MustAsync(LxcAsync("exec", "b:pushed", "--", "cat", "/etc/hostname"))).Stdout);
        await MustAsync(LxcAsync("delete", "--force", "b:pushed"));
    }

    [Fact]
    public async Task LxcPush_SplitPrivateAndPublicByAlias_SameFingerprintsAliasesAndVisibility()
    {
        // A private split image (lxc passes its fingerprint) and a public one by alias (lxc 5.0.2 passes the alias
        // itself, which a resolves); --public makes the copy public.
        var priv = await LxcAsync("image", "copy", "a:priv", "b:", "--mode", "push", "--copy-aliases");
        var pub = await LxcAsync("image", "copy", "a:bb", "b:", "--mode", "push", "--alias", "y", "--public");

        Assert.True(priv.ExitCode == 0, priv + Logs());
        Assert.True(pub.ExitCode == 0, pub + Logs());
        Assert.Equal($"priv,{SplitSha[..12]}\npriv-extra,{SplitSha[..12]}\ny,{UnifiedSha[..12]}\n", await AliasesAsync("b:"));
        Assert.Equal(File.ReadAllBytes(_files.SplitMetadata), File.ReadAllBytes(Path.Combine(_b.Dir, "images", SplitSha)));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(_b.Dir, "images", SplitSha + ".rootfs")));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_b.Dir, "images", UnifiedSha)));
        Assert.Contains("public: false", (await MustAsync(LxcAsync("image", "show", "b:priv"))).Stdout, StringComparison.Ordinal);
        Assert.Contains("public: true", (await MustAsync(LxcAsync("image", "show", "b:y"))).Stdout, StringComparison.Ordinal);

        // The push tokens were spent (cancelled): none is left running on b.
        var operations = JsonDocument.Parse((await MustAsync(LxcAsync("query", "b:/1.0/operations?recursion=1"))).Stdout).RootElement;
        Assert.False(operations.TryGetProperty("running", out var running) && running.EnumerateArray().Any(o => o.GetProperty("class").GetString() == "token"), operations.ToString());
    }

    [Fact]
    public async Task LxcRelay_PrivateByAlias_AndBerthRelayAndPush_PublicByAlias()
    {
        var relay = await LxcAsync("image", "copy", "a:priv", "b:", "--mode", "relay", "--alias", "r", "--copy-aliases");
        var berthRelay = await BerthAsync("image", "copy", "a:bb", "b:", "--mode", "relay", "--alias", "br");

        Assert.True(relay.ExitCode == 0, relay + Logs());
        Assert.True(berthRelay.ExitCode == 0, berthRelay + Logs());
        Assert.Equal($"br,{UnifiedSha[..12]}\npriv,{SplitSha[..12]}\npriv-extra,{SplitSha[..12]}\nr,{SplitSha[..12]}\n", await AliasesAsync("b:"));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(_b.Dir, "images", SplitSha + ".rootfs")));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_b.Dir, "images", UnifiedSha)));

        await MustAsync(LxcAsync("image", "delete", "b:br"));
        var berthPush = await BerthAsync("image", "copy", "a:bb", "b:", "--mode", "push", "--copy-aliases", "--public");
        Assert.True(berthPush.ExitCode == 0, berthPush + Logs());
        Assert.Equal($"bb,{UnifiedSha[..12]}\nbb-extra,{UnifiedSha[..12]}\npriv,{SplitSha[..12]}\npriv-extra,{SplitSha[..12]}\nr,{SplitSha[..12]}\n", await AliasesAsync("b:"));
        Assert.Contains("public: true", (await MustAsync(LxcAsync("image", "show", "b:bb"))).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedUpload_NoOrWrongSecretOrOtherBytes_RefusedAndNothingStored()
    {
        var token = JsonDocument.Parse((await MustAsync(LxcAsync("query", "-X", "POST", "b:/1.0/images", "--data",
            $$"""{"source":{"fingerprint":"{{UnifiedSha}}","mode":"push"},"aliases":[{"name":"never"}]}"""))).Stdout).RootElement;
        var secret = token.GetProperty("metadata").GetProperty("secret").GetString()!;
        Assert.Equal("token", token.GetProperty("class").GetString());

        var none = await UploadAsync(_files.Unified, UnifiedSha, null);
        var wrong = await UploadAsync(_files.Unified, UnifiedSha, new string('0', secret.Length));
        var otherName = await UploadAsync(_files.Unified, SplitSha, secret);

        // The right secret with other bytes: refused, and the secret is spent (a second try is not authorized).
        var otherBytes = await UploadAsync(_files.SplitMetadata, UnifiedSha, secret);
        var again = await UploadAsync(_files.Unified, UnifiedSha, secret);

        Assert.Equal(HttpStatusCode.Forbidden, none.Status);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
        Assert.Equal(HttpStatusCode.Forbidden, otherName.Status);
        Assert.Equal(HttpStatusCode.BadRequest, otherBytes.Status);
        Assert.Contains("Fingerprint mismatch", otherBytes.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, again.Status);
        Assert.Contains("not authorized", again.Body, StringComparison.Ordinal);

        // The source side with a wrong secret: its operation fails, b stores nothing.
        var pushWrong = await LxcAsync("query", "-X", "POST", "a:/1.0/images/bb/export", "--wait", "--data", JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["target"] = Url,
            ["certificate"] = await File.ReadAllTextAsync(Path.Combine(_conf, "servercerts", "b.crt")),
            ["secret"] = "wrong",
        }));
        Assert.NotEqual(0, pushWrong.ExitCode);
        Assert.Contains("not authorized", pushWrong.Stderr, StringComparison.Ordinal);

        Assert.Equal("", (await MustAsync(LxcAsync("image", "list", "b:", "--format", "csv", "-c", "lf"))).Stdout);
        Assert.Equal("", await AliasesAsync("b:"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_b.Dir, "images")));
    }

    /// <summary>An upload to b as an untrusted HTTPS client (no client certificate).</summary>
    private async Task<(HttpStatusCode Status, string Body)> UploadAsync(string file, string fingerprint, string? secret)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, Url + "/1.0/images");
        request.Headers.Add("X-LXD-fingerprint", fingerprint);
        if (secret is not null)
        {
            request.Headers.Add("X-LXD-secret", secret);
        }

        request.Content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> AliasesAsync(string remote)
    {
        var list = await MustAsync(LxcAsync("image", "alias", "list", remote, "--format", "csv"));
        return string.Concat(list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(','))
            .Select(f => $"{f[0]},{f[1]}\n")
            .Order(StringComparer.Ordinal));
    }

    private static async Task<ProcessResult> MustAsync(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
