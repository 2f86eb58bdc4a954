namespace Berth.System.Tests;

/// <summary>Images through Debian's lxc and pylxd against a real berthd.</summary>
public sealed class ImagesTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;
    private TestImageFiles _files = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        _files = new TestImageFiles();
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        _files?.Dispose();
    }

    private string ImagesDir => Path.Combine(_berthd.Dir, "images");

    [Fact]
    public async Task Import_FingerprintIsSha256_AndExportIsByteIdentical()
    {
        var sha = TestImageFiles.Sha256(_files.Unified);

        var import = await _berthd.LxcAsync("image", "import", _files.Unified, "--alias", "bb");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains(sha, import.Stdout, StringComparison.Ordinal);
        var target = Path.Combine(_files.Dir, "export");
        Directory.CreateDirectory(target);
        Assert.Equal(0, (await _berthd.LxcAsync("image", "export", "bb", target + "/")).ExitCode);
        var exported = Assert.Single(Directory.GetFiles(target));
        Assert.Equal(sha + ".tar.gz", Path.GetFileName(exported));
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(exported));
    }

    [Fact]
    public async Task SplitImage_RoundTrips()
    {
        var sha = TestImageFiles.Sha256(_files.SplitMetadata, _files.SplitRootfs);

        var import = await _berthd.LxcAsync("image", "import", _files.SplitMetadata, _files.SplitRootfs, "--alias", "split");

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains(sha, import.Stdout, StringComparison.Ordinal);
        var target = Path.Combine(_files.Dir, "export-split");
        Directory.CreateDirectory(target);
        Assert.Equal(0, (await _berthd.LxcAsync("image", "export", "split", target + "/")).ExitCode);
        Assert.Equal(File.ReadAllBytes(_files.SplitMetadata), File.ReadAllBytes(Path.Combine(target, $"meta-{sha}.tar.xz")));
        Assert.Equal(File.ReadAllBytes(_files.SplitRootfs), File.ReadAllBytes(Path.Combine(target, $"{sha}.tar.xz")));
    }

    [Fact]
    public async Task ListInfoAliasEditDelete_BehaveAsLxd()
    {
        var sha = TestImageFiles.Sha256(_files.Unified);
        await _berthd.LxcAsync("image", "import", _files.Unified, "--alias", "bb");

        var list = await _berthd.LxcAsync("image", "list", "--format", "csv", "-c", "lfpdat");
        Assert.Equal($"bb,{sha[..12]},no,Busybox for tests,x86_64,CONTAINER\n", list.Stdout);
        var info = await _berthd.LxcAsync("image", "info", "bb");
        Assert.Contains($"Fingerprint: {sha}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("os: busybox", info.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await _berthd.LxcAsync("image", "alias", "create", "second", sha)).ExitCode);
        Assert.Equal(1, (await _berthd.LxcAsync("image", "alias", "create", "second", sha)).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("image", "alias", "rename", "second", "third")).ExitCode);
        Assert.Equal("bb\nthird\n", string.Concat((await _berthd.LxcAsync("image", "alias", "list", "--format", "csv")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')[0] + "\n")));

        var edit = await _berthd.LxcStdinAsync("auto_update: false\nproperties:\n  os: busybox\n  role: test\npublic: true\nexpires_at: 1970-01-01T00:00:00Z\nprofiles:\n- default\n", "image", "edit", "bb");
        Assert.True(edit.ExitCode == 0, edit.ToString());
        var show = await _berthd.LxcAsync("image", "show", "bb");
        Assert.Contains("role: test", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("public: true", show.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await _berthd.LxcAsync("image", "delete", "bb")).ExitCode);
        Assert.Equal("", (await _berthd.LxcAsync("image", "list", "--format", "csv")).Stdout);
        Assert.Equal("", (await _berthd.LxcAsync("image", "alias", "list", "--format", "csv")).Stdout);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ImagesDir));
    }

    [Fact]
    public async Task BadImports_FailAndLeaveNothing()
    {
        var truncated = Path.Combine(_files.Dir, "truncated.tar.gz");
        var bytes = File.ReadAllBytes(_files.Unified);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var garbage = Path.Combine(_files.Dir, "garbage.tar.gz");
        File.WriteAllText(garbage, "not an image");

        var cut = await _berthd.LxcAsync("image", "import", truncated);
        var junk = await _berthd.LxcAsync("image", "import", garbage);
        await _berthd.LxcAsync("image", "import", _files.Unified);
        var again = await _berthd.LxcAsync("image", "import", _files.Unified);

        Assert.Equal(1, cut.ExitCode);
        Assert.Contains("truncated", cut.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, junk.ExitCode);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        Assert.Equal([TestImageFiles.Sha256(_files.Unified)], Directory.GetFiles(ImagesDir).Select(Path.GetFileName));
        Assert.Equal(1, (await _berthd.LxcAsync("image", "delete", "no-such-image")).ExitCode);
    }

    [Fact]
    public async Task LargeImage_CorruptInTheMiddle_IsAcceptedThenRemoved()
    {
        // Head and tail intact, one byte changed half way: only reading every byte (the gzip CRC) finds it, which
        // berthd does right after answering the import of an image this large.
        var bytes = File.ReadAllBytes(_files.Large());
        bytes[bytes.Length / 2] ^= 0xff;
        var corrupt = Path.Combine(_files.Dir, "corrupt.tar.gz");
        File.WriteAllBytes(corrupt, bytes);

        var import = await _berthd.LxcAsync("image", "import", corrupt);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string listed;
        while ((listed = (await _berthd.LxcAsync("image", "list", "--format", "csv")).Stdout) != "" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains(TestImageFiles.Sha256(corrupt), import.Stdout, StringComparison.Ordinal);
        Assert.Equal("", listed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ImagesDir));
        Assert.Contains("removed after its import: Invalid image: corrupt or truncated archive", _berthd.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeImage_Cut_IsRefusedAtImport()
    {
        var bytes = File.ReadAllBytes(_files.Large());
        var end = bytes.Length * 2 / 3;
        while (BitConverter.ToUInt32(bytes, end - 4) % 512 == 0)
        {
            end++; // a cut whose last bytes pass for a tar's gzip trailer (1 in 512) is left to the check after import
        }

        var cut = Path.Combine(_files.Dir, "cut.tar.gz");
        File.WriteAllBytes(cut, bytes[..end]);

        var import = await _berthd.LxcAsync("image", "import", cut);

        Assert.Equal(1, import.ExitCode);
        Assert.Contains("corrupt or truncated", import.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(ImagesDir));
    }

    [Fact]
    public async Task Pylxd_ImagesCreate_UploadsAndAliases()
    {
        var script = $$"""
            import hashlib, pylxd
            client = pylxd.Client()
            data = open({{PyString(_files.Unified)}}, 'rb').read()
            image = client.images.create(data, public=True, wait=True)
            assert image.fingerprint == hashlib.sha256(data).hexdigest(), image.fingerprint
            image.add_alias('py', 'from pylxd')
            again = client.images.get_by_alias('py')
            print(again.fingerprint, again.public, again.properties['os'])
            """;

        var result = await _berthd.PythonAsync(script);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{TestImageFiles.Sha256(_files.Unified)} True busybox", result.Stdout.Trim());
    }

    [Fact]
    public async Task BerthImageInfoShowEditExport_WorkOnAnAlias()
    {
        var sha = TestImageFiles.Sha256(_files.Unified);
        await _berthd.LxcAsync("image", "import", _files.Unified, "--alias", "bb");

        var info = await _berthd.BerthAsync("image", "info", "bb");
        var edit = await _berthd.BerthStdinAsync("auto_update: false\nproperties:\n  os: busybox\n  role: edited\npublic: true\nexpires_at: 1970-01-01T00:00:00Z\nprofiles:\n- default\n", "image", "edit", "bb");
        var show = await _berthd.BerthAsync("image", "show", "bb");
        var target = Path.Combine(_files.Dir, "berth-export");
        Directory.CreateDirectory(target);
        var export = await _berthd.BerthAsync("image", "export", "bb", target + "/");
        var refresh = await _berthd.BerthAsync("image", "refresh", "bb");

        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains($"Fingerprint: {sha}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("    - bb", info.Stdout, StringComparison.Ordinal);
        Assert.True(edit.ExitCode == 0, edit.ToString());
        Assert.Contains("role: edited", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("public: true", show.Stdout, StringComparison.Ordinal);
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(File.ReadAllBytes(_files.Unified), File.ReadAllBytes(Path.Combine(target, sha + ".tar.gz")));
        Assert.Equal(1, refresh.ExitCode);
        Assert.Contains("no update source", refresh.Stderr, StringComparison.Ordinal);
    }

    private static string PyString(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
