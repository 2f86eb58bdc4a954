namespace Berth.System.Tests;

/// <summary>
/// <c>lxc image copy --mode push</c> between berthd and Debian's real LXD 5.0, both ways, both HTTPS remotes with a
/// trust password: LXD's push (its token, its upload with X-LXD-fingerprint/X-LXD-secret) is what berthd's must match.
/// </summary>
public sealed class LxdImagePushTests : IAsyncLifetime
{
    private const string Password = "lxdpush-pw";
    private readonly string _conf = Path.Combine(Path.GetTempPath(), "berth-lxdpush-" + Guid.NewGuid().ToString("N")[..8]);
    private LxdProcess _lxd = null!;
    private BerthdProcess _berthd = null!;
    private TestImageFiles _files = null!;

    public async ValueTask InitializeAsync()
    {
        _files = new TestImageFiles("Pushed between berthd and LXD");
        _lxd = await LxdProcess.StartAsync();
        _berthd = await BerthdProcess.StartAsync();
        var port = TestNetwork.FreePort();
        await MustAsync(_lxd.LxcAsync("config", "set", "core.trust_password", Password));
        await MustAsync(_berthd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{port}"));
        await MustAsync(_berthd.LxcAsync("config", "set", "core.trust_password", Password));

        Directory.CreateDirectory(_conf);
        await File.WriteAllTextAsync(Path.Combine(_conf, "config.yml"), "default-remote: b\nremotes: {}\n");
        await MustAsync(LxcAsync("remote", "add", "b", $"https://127.0.0.1:{port}", "--password", Password, "--accept-certificate"));
        await MustAsync(LxcAsync("remote", "add", "l", _lxd.Url, "--password", Password, "--accept-certificate"));
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
        if (Directory.Exists(_conf))
        {
            Directory.Delete(_conf, recursive: true);
        }
    }

    private string UnifiedSha => TestImageFiles.Sha256(_files.Unified);

    private string SplitSha => TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);

    private Task<ProcessResult> LxcAsync(params string[] args) => TwoServerClient.LxcAsync(_conf, args);

    [Fact]
    public async Task LxcPush_LxdToBerthdAndBerthdToLxd_SplitAndUnified_SameFingerprintsAndAliases()
    {
        await MustAsync(LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "l:", "--alias", "split"));
        await MustAsync(LxcAsync("image", "import", _files.Unified, "b:", "--alias", "uni"));

        var toBerthd = await LxcAsync("image", "copy", "l:split", "b:", "--mode", "push", "--copy-aliases", "--alias", "z");
        var toLxd = await LxcAsync("image", "copy", "b:uni", "l:", "--mode", "push", "--copy-aliases");

        Assert.True(toBerthd.ExitCode == 0, toBerthd + "\n" + _berthd.Log());
        Assert.True(toLxd.ExitCode == 0, toLxd + "\n" + _berthd.Log());
        Assert.Equal($"split,{SplitSha[..12]}\nuni,{UnifiedSha[..12]}\nz,{SplitSha[..12]}\n", await AliasesAsync("b:"));
        Assert.Equal($"split,{SplitSha[..12]}\nuni,{UnifiedSha[..12]}\n", await AliasesAsync("l:"));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(_berthd.Dir, "images", SplitSha + ".rootfs")));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_lxd.Dir, "images", UnifiedSha)));
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
