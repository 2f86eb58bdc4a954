using System.Globalization;

namespace Berth.System.Tests;

/// <summary>
/// <c>image copy</c> between two berthd daemons (the first serving HTTPS) through Debian's lxc and through berth:
/// public and private (split) images, --alias, --copy-aliases, --auto-update, --public; berth's export of a split
/// image; and the memory a 1 GiB import costs berthd.
/// </summary>
public sealed class ImageCopyTests : IAsyncLifetime
{
    private const string Password = "imgcopy-pw";
    private BerthdProcess _source = null!;
    private BerthdProcess _target = null!;
    private TestImageFiles _files = null!;
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _files = new TestImageFiles("Copied between berthds");
        _source = await BerthdProcess.StartAsync();
        _target = await BerthdProcess.StartAsync();
        _port = TestNetwork.FreePort();

        await MustAsync(_source.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{_port}"));
        await MustAsync(_source.LxcAsync("config", "set", "core.trust_password", Password));
        await MustAsync(_source.LxcAsync("image", "import", _files.Unified, "--alias", "bb", "--alias", "bb-extra", "--public"));
        await MustAsync(_source.LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "--alias", "priv"));

        // The target's client config (shared by lxc and berth) knows the source as "src", trusted.
        await MustAsync(_target.LxcAsync("remote", "add", "src", Url, "--password", Password, "--accept-certificate"));
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

    private string UnifiedSha => TestImageFiles.Sha256(_files.Unified);

    private string SplitSha => TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);

    [Fact]
    public async Task LxcImageCopy_AliasCopyAliasesAutoUpdate_ShownByLxc()
    {
        await MustAsync(_target.LxcAsync("image", "copy", "src:bb", "local:", "--alias", "x", "--copy-aliases", "--auto-update"));

        var show = await MustAsync(_target.LxcAsync("image", "show", "x"));
        Assert.Contains("auto_update: true", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("public: false", show.Stdout, StringComparison.Ordinal);
        Assert.Equal($"bb,{UnifiedSha[..12]}\nbb-extra,{UnifiedSha[..12]}\nx,{UnifiedSha[..12]}\n", await AliasesAsync(_target));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_target.Dir, "images", UnifiedSha)));
        Assert.Contains($"Server: {Url}", (await MustAsync(_target.LxcAsync("image", "info", "x"))).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BerthImageCopy_PublicByAlias_AndPrivateWithSecret()
    {
        var copy = await MustAsync(_target.BerthAsync("image", "copy", "src:bb", "local:", "--alias", "y", "--copy-aliases", "--auto-update", "--public"));
        var copyPrivate = await MustAsync(_target.BerthAsync("image", "copy", "src:priv", "local:", "--alias", "p2"));

        Assert.Equal("Image copied successfully!\n", copy.Stdout);
        var show = (await MustAsync(_target.LxcAsync("image", "show", "y"))).Stdout;
        Assert.Contains("auto_update: true", show, StringComparison.Ordinal);
        Assert.Contains("public: true", show, StringComparison.Ordinal);
        Assert.Contains("Alias: bb", (await MustAsync(_target.LxcAsync("image", "info", "y"))).Stdout, StringComparison.Ordinal);
        Assert.Equal("Image copied successfully!\n", copyPrivate.Stdout);
        Assert.Equal($"bb,{UnifiedSha[..12]}\nbb-extra,{UnifiedSha[..12]}\np2,{SplitSha[..12]}\ny,{UnifiedSha[..12]}\n", await AliasesAsync(_target));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(_target.Dir, "images", UnifiedSha)));
        Assert.Equal(File.ReadAllBytes(_files.SplitMetadata), File.ReadAllBytes(Path.Combine(_target.Dir, "images", SplitSha)));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(_target.Dir, "images", SplitSha + ".rootfs")));

        // The private image stays private on the target; the secret was spent.
        Assert.Contains("public: false", (await MustAsync(_target.LxcAsync("image", "show", "p2"))).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BerthInit_FromImagesOnAnotherRemote_TargetPullsThem()
    {
        // A private split image by alias (a secret is needed) and a public one by alias, each pulled by the target.
        await MustAsync(_target.BerthAsync("init", "src:priv", "fromprivate"));
        await MustAsync(_target.BerthAsync("init", "src:bb", "frompublic"));

        Assert.Equal(SplitSha + "\n", (await MustAsync(_target.LxcAsync("config", "get", "fromprivate", "volatile.base_image"))).Stdout);
        Assert.Equal(UnifiedSha + "\n", (await MustAsync(_target.LxcAsync("config", "get", "frompublic", "volatile.base_image"))).Stdout);
        var cached = (await MustAsync(_target.LxcAsync("query", "/1.0/images?recursion=1"))).Stdout;
        Assert.Contains(SplitSha, cached, StringComparison.Ordinal);
        Assert.Contains("\"cached\": true", cached, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _target.BerthAsync("init", "src:no-such-image", "nothing")).ExitCode);
        Assert.DoesNotContain("nothing", (await MustAsync(_target.LxcAsync("list", "--format", "csv", "-c", "n"))).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BerthImageCopy_HiddenUnknownOrSameServer_FailsAndLeavesNothing()
    {
        await MustAsync(_target.LxcAsync("remote", "add", "pub", Url, "--public", "--accept-certificate"));

        var hidden = await _target.BerthAsync("image", "copy", "pub:priv", "local:");
        var unknown = await _target.BerthAsync("image", "copy", "src:no-such-image", "local:");
        var same = await _target.BerthAsync("image", "copy", "src:bb", "src:");
        var named = await _target.BerthAsync("image", "copy", "src:bb", "local:name");

        Assert.NotEqual(0, hidden.ExitCode);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.NotEqual(0, same.ExitCode);
        Assert.Contains("must be different", same.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, named.ExitCode);
        Assert.Equal("", (await MustAsync(_target.LxcAsync("image", "list", "--format", "csv", "-c", "lf"))).Stdout);
    }

    [Fact]
    public async Task BerthImageExport_SplitImage_WritesBothFilesAsLxcNamesThem()
    {
        var dir = Path.Combine(_files.Dir, "berth-split");
        Directory.CreateDirectory(dir);
        var prefix = Path.Combine(_files.Dir, "prefixed");

        var toDir = await MustAsync(_source.BerthAsync("image", "export", "priv", dir));
        await MustAsync(_source.BerthAsync("image", "export", "priv", prefix));
        var lxcDir = Path.Combine(_files.Dir, "lxc-split");
        Directory.CreateDirectory(lxcDir);
        await MustAsync(_source.LxcAsync("image", "export", "priv", lxcDir));

        Assert.Equal("Image exported successfully!\n", toDir.Stdout);
        var names = Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([$"{SplitSha}.tar.xz", $"meta-{SplitSha}.tar.xz"], names);
        Assert.Equal(names, Directory.GetFiles(lxcDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(TestImageFiles.Sha256(_files.SplitMetadata), TestImageFiles.Sha256(Path.Combine(dir, $"meta-{SplitSha}.tar.xz")));
        Assert.Equal(TestImageFiles.Sha256(_files.SplitRootfs), TestImageFiles.Sha256(Path.Combine(dir, $"{SplitSha}.tar.xz")));
        Assert.Equal(File.ReadAllBytes(_files.SplitMetadata), File.ReadAllBytes(prefix));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(prefix + ".root"));

        // Re-importing the exported pair gives the same fingerprint on the other daemon.
        var import = await MustAsync(_target.LxcAsync("image", "import", prefix, prefix + ".root"));
        Assert.Contains(SplitSha, import.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The bound: importing a 1 GiB image raises berthd's RSS by less than 100 MB (uploads are streamed).</summary>
    [Fact]
    public async Task Import1GiBImage_RaisesBerthdRssByLessThan100MB()
    {
        var stage = Path.Combine(_files.Dir, "big");
        Directory.CreateDirectory(Path.Combine(stage, "rootfs"));
        File.WriteAllText(Path.Combine(stage, "metadata.yaml"), "architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  description: big\n");
        using (var big = File.Create(Path.Combine(stage, "rootfs", "big")))
        {
            // Non-zero, varied bytes: nothing on the way can treat the file as sparse.
            var block = new byte[1 << 20];
            Random.Shared.NextBytes(block);
            for (var i = 0; i < 1024; i++)
            {
                block[i] = (byte)i;
                big.Write(block);
            }
        }

        var image = Path.Combine(_files.Dir, "big.tar");
        await MustAsync(ProcessRunner.RunAsync("tar", ["-C", stage, "-cf", image, "metadata.yaml", "rootfs"], timeout: TimeSpan.FromMinutes(3)));
        File.Delete(Path.Combine(stage, "rootfs", "big"));
        Assert.True(new FileInfo(image).Length > 1L << 30);

        var before = Status(_target.Pid, "VmRSS");
        var import = await MustAsync(ProcessRunner.RunAsync(SystemRequirements.Tool("lxc"), ["image", "import", image, "--alias", "big"], _target.Env, timeout: TimeSpan.FromMinutes(5)));

        // VmHWM is the highest RSS the process ever had: an upper bound of its RSS during the import.
        var peak = Status(_target.Pid, "VmHWM");
        string sha;
        using (var file = File.OpenRead(image))
        {
            sha = Convert.ToHexStringLower(await global::System.Security.Cryptography.SHA256.HashDataAsync(file, TestContext.Current.CancellationToken));
        }

        Assert.Contains(sha, import.Stdout, StringComparison.Ordinal);
        Assert.True(peak - before < 100 * 1024, $"berthd RSS rose by {(peak - before) / 1024} MB importing a 1 GiB image (before {before / 1024} MB, peak {peak / 1024} MB)");
        await MustAsync(_target.LxcAsync("image", "delete", "big"));
    }

    /// <summary>A field of /proc/PID/status in kB.</summary>
    private static long Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static async Task<string> AliasesAsync(BerthdProcess daemon)
    {
        var list = await MustAsync(daemon.LxcAsync("image", "alias", "list", "--format", "csv"));
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
