namespace Berth.System.Tests;

/// <summary>
/// berth's alias, config trust, image alias/property, storage volume info/edit/attach-profile and warning commands run
/// beside Debian's lxc against one real berthd: what a user sees (stdout, stderr, exit code) must be the same.
/// </summary>
public sealed class BerthCliParityTests : IAsyncLifetime
{
    private readonly string _prefix = "p" + Guid.NewGuid().ToString("N")[..5];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync() => _berthd = await BerthdProcess.StartAsync();

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<ProcessResult> Must(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result + "\n" + _berthd.Log());
        return result;
    }

    /// <summary>Runs the same command through lxc and berth and asserts identical exit code, stdout and error line.</summary>
    private async Task<ProcessResult> SameAsync(params string[] args)
    {
        var lxc = await _berthd.LxcAsync(args);
        var berth = await _berthd.BerthAsync(args);
        var what = string.Join(' ', args);
        Assert.True(lxc.ExitCode == berth.ExitCode, $"{what}\nlxc: {lxc}\nberth: {berth}");
        Assert.True(lxc.Stdout == berth.Stdout, $"{what}\nlxc: {lxc}\nberth: {berth}");
        Assert.Equal(LastLine(lxc.Stderr), LastLine(berth.Stderr));
        return berth;
    }

    /// <summary>The error line a user reads (lxc's first run in a fresh LXD_CONF also prints a welcome banner on stderr).</summary>
    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n').LastOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal)) ?? "";

    [Fact]
    public async Task Aliases_SharedConfig_SameListingsAndExpansion()
    {
        await Must(_berthd.BerthAsync("alias", "add", "ial", "image alias list -f csv"));
        await Must(_berthd.LxcAsync("alias", "add", "gp", "image get-property @ARG2@ @ARG1@"));
        await Must(_berthd.BerthAsync("alias", "add", "two words", "alias list"));
        foreach (var format in new[] { "table", "csv", "json", "yaml", "compact" })
        {
            await SameAsync("alias", "list", "-f", format);
        }

        Assert.Equal("Error: Alias ial already exists", LastLine((await SameAsync("alias", "add", "ial", "x")).Stderr));
        Assert.Equal("Error: Alias nope doesn't exist", LastLine((await SameAsync("alias", "rename", "nope", "x")).Stderr));
        Assert.Equal("Error: Alias nope doesn't exist", LastLine((await SameAsync("alias", "remove", "nope")).Stderr));

        // Expansion: user aliases, @ARGn@, several words, and the error for a missing argument.
        await Must(_berthd.BerthAsync("image", "build", "busybox", "--alias", _prefix + "img"));
        Assert.Contains(_prefix + "img,", (await SameAsync("ial")).Stdout, StringComparison.Ordinal);
        Assert.Equal("busybox\n", (await SameAsync("gp", "os", _prefix + "img")).Stdout);
        Assert.Contains("two words", (await SameAsync("two", "words", "-f", "csv")).Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await SameAsync("gp", "os")).ExitCode);

        await Must(_berthd.BerthAsync("alias", "rename", "ial", "ial2"));
        await Must(_berthd.LxcAsync("alias", "remove", "gp"));
        Assert.Equal("ial2,image alias list -f csv\ntwo words,alias list\n", (await SameAsync("alias", "list", "-f", "csv")).Stdout);
    }

    [Fact]
    public async Task ShellAlias_RunsInTheContainer_AndUserAliasExecs()
    {
        await Must(_berthd.LxcAsync("storage", "create", _prefix + "s", "dir"));
        await Must(_berthd.LxcAsync("profile", "device", "add", "default", "root", "disk", "path=/", "pool=" + _prefix + "s"));
        await Must(_berthd.BerthAsync("image", "build", "busybox", "--alias", _prefix + "img"));
        await Must(_berthd.LxcAsync("launch", _prefix + "img", _prefix + "c"));
        await Must(_berthd.LxcAsync("alias", "add", "hello", "exec @ARG1@ -- echo hello @ARGS@"));

        Assert.Equal("hello a b\n", (await SameAsync("hello", _prefix + "c", "a", "b")).Stdout);

        // The built-in shell alias is exec ... -- su -l: a user alias of the same name overrides it in both clients.
        await Must(_berthd.LxcAsync("alias", "add", "shell", "exec @ARG1@ -- cat /etc/hostname"));
        Assert.Equal(_prefix + "c\n", (await SameAsync("shell", _prefix + "c")).Stdout);
        await Must(_berthd.LxcAsync("alias", "remove", "shell"));
        var shell = await _berthd.BerthStdinAsync("echo in-$((6*7))\nexit\n", "shell", _prefix + "c");
        Assert.True(shell.ExitCode == 0, shell.ToString());
        Assert.Contains("in-42", shell.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigTrust_TokensAndCertificates_SameAsLxc()
    {
        await Must(_berthd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{TestNetwork.FreePort()}"));

        var issued = await Must(_berthd.LxcAsync("config", "trust", "add", "--name", "t1"));
        var added = await Must(_berthd.BerthAsync("config", "trust", "add", "--name", "t2"));
        Assert.StartsWith("Client t2 certificate add token:\n", added.Stdout, StringComparison.Ordinal);
        foreach (var format in new[] { "table", "csv", "json", "yaml" })
        {
            var tokens = await SameAsync("config", "trust", "list-tokens", "-f", format);
            Assert.Contains(issued.Stdout.Split('\n')[1], tokens.Stdout, StringComparison.Ordinal);
            Assert.Contains(added.Stdout.Split('\n')[1], tokens.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal("Certificate add token for t2 deleted\n", (await Must(_berthd.BerthAsync("config", "trust", "revoke-token", "t2"))).Stdout);
        Assert.DoesNotContain("t2,", (await Must(_berthd.LxcAsync("config", "trust", "list-tokens", "-f", "csv"))).Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await SameAsync("config", "trust", "revoke-token", "t2")).ExitCode);

        var certificate = Path.Combine(_berthd.ClientConf, "alice.crt");
        var openssl = await ProcessRunner.RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", certificate + ".key", "-out", certificate, "-days", "30", "-subj", "/CN=alice@host"]);
        Assert.True(openssl.ExitCode == 0, openssl.ToString());
        await Must(_berthd.BerthAsync("config", "trust", "add", certificate));
        Assert.Equal(1, (await SameAsync("config", "trust", "add", certificate)).ExitCode);
        foreach (var format in new[] { "table", "csv", "json", "yaml", "compact" })
        {
            await SameAsync("config", "trust", "list", "-f", format);
        }

        var row = (await Must(_berthd.LxcAsync("config", "trust", "list", "-f", "csv"))).Stdout.Trim();
        Assert.StartsWith("client,alice.crt,alice@host,", row, StringComparison.Ordinal);
        var fingerprint = row.Split(',')[3];
        await SameAsync("config", "trust", "show", fingerprint);
        await Must(_berthd.BerthStdinAsync("name: bob\ntype: client\nrestricted: false\nprojects: []\n", "config", "trust", "edit", fingerprint));
        Assert.StartsWith("client,bob,alice@host,", (await Must(_berthd.LxcAsync("config", "trust", "list", "-f", "csv"))).Stdout, StringComparison.Ordinal);
        Assert.Equal("Error: Certificate not found", LastLine((await SameAsync("config", "trust", "show", "0000")).Stderr));
        await Must(_berthd.BerthAsync("config", "trust", "remove", fingerprint));
        Assert.Equal("", (await SameAsync("config", "trust", "list", "-f", "csv")).Stdout);
    }

    [Fact]
    public async Task ImageAliasesAndProperties_SameAsLxc()
    {
        await Must(_berthd.BerthAsync("image", "build", "busybox", "--alias", _prefix + "a"));
        var fingerprint = (await Must(_berthd.LxcAsync("image", "list", "-f", "csv", "-c", "F"))).Stdout.Trim();
        await Must(_berthd.LxcAsync("image", "alias", "create", _prefix + "z10", fingerprint));
        await Must(_berthd.LxcAsync("image", "alias", "create", _prefix + "z9", fingerprint));
        foreach (var format in new[] { "table", "csv", "json", "yaml", "compact" })
        {
            await SameAsync("image", "alias", "list", "-f", format);
        }

        await SameAsync("image", "alias", "list", _prefix + "z");
        await SameAsync("image", "alias", "list", "local:", fingerprint[..8], "-f", "csv");
        Assert.Equal("Error: Image alias not found", LastLine((await SameAsync("image", "alias", "rename", "nope", "x")).Stderr));

        await Must(_berthd.BerthAsync("image", "alias", "rename", _prefix + "z9", _prefix + "y"));
        await Must(_berthd.BerthAsync("image", "alias", "delete", _prefix + "z10"));
        Assert.Equal($"{_prefix}a,{fingerprint[..12]},CONTAINER,\n{_prefix}y,{fingerprint[..12]},CONTAINER,\n",
            (await SameAsync("image", "alias", "list", "-f", "csv")).Stdout);

        Assert.Equal("busybox\n", (await SameAsync("image", "get-property", _prefix + "a", "os")).Stdout);
        Assert.Equal("Error: Property not found", LastLine((await SameAsync("image", "get-property", _prefix + "a", "nope")).Stderr));
        await Must(_berthd.BerthAsync("image", "set-property", _prefix + "a", "k1", "v1"));
        Assert.Equal("v1\n", (await SameAsync("image", "get-property", _prefix + "y", "k1")).Stdout);
        await Must(_berthd.BerthAsync("image", "unset-property", fingerprint, "k1"));
        Assert.Equal("\n", (await SameAsync("image", "get-property", _prefix + "a", "k1")).Stdout);
        await SameAsync("image", "show", _prefix + "a");
    }

    [Fact]
    public async Task StorageVolume_InfoEditAndProfiles()
    {
        var pool = _prefix + "v";
        await Must(_berthd.LxcAsync("storage", "create", pool, "dir"));
        await Must(_berthd.LxcAsync("storage", "volume", "create", pool, "v1"));
        await Must(_berthd.LxcAsync("storage", "volume", "snapshot", pool, "v1", "s1"));
        await Must(_berthd.LxcAsync("profile", "create", _prefix + "l"));
        await Must(_berthd.LxcAsync("profile", "create", _prefix + "b"));

        var info = await Must(_berthd.BerthAsync("storage", "volume", "info", pool, "v1"));
        Assert.Equal("Name: v1\nType: custom\nContent type: filesystem\n\nSnapshots:\n+------+-------------+------------+\n| NAME | DESCRIPTION | EXPIRES AT |\n+------+-------------+------------+\n| s1   |             |            |\n+------+-------------+------------+\n",
            info.Stdout);
        var lxcInfo = await _berthd.LxcAsync("storage", "volume", "info", pool, "v1");
        if (lxcInfo.ExitCode == 0)
        {
            // lxc 5.0 also lists the volume's backups, which needs berthd's volume backups endpoint.
            Assert.Equal(lxcInfo.Stdout, info.Stdout);
        }

        Assert.Equal("Error: Storage volume not found", LastLine((await SameAsync("storage", "volume", "info", pool, "nope")).Stderr));
        Assert.Equal("Error: Only instance or custom volumes are supported", LastLine((await SameAsync("storage", "volume", "info", pool, "v1/s1")).Stderr));

        await Must(_berthd.BerthStdinAsync("description: edited\nconfig:\n  user.k: v\n", "storage", "volume", "edit", pool, "v1"));
        var shown = (await Must(_berthd.LxcAsync("storage", "volume", "show", pool, "v1"))).Stdout;
        Assert.Contains("description: edited", shown, StringComparison.Ordinal);
        Assert.Contains("user.k: v", shown, StringComparison.Ordinal);

        await Must(_berthd.LxcAsync("storage", "volume", "attach-profile", pool, "v1", _prefix + "l", "/mnt/v1"));
        await Must(_berthd.BerthAsync("storage", "volume", "attach-profile", pool, "v1", _prefix + "b", "/mnt/v1"));
        Assert.Equal(
            (await Must(_berthd.LxcAsync("profile", "show", _prefix + "l"))).Stdout.Replace(_prefix + "l", "X", StringComparison.Ordinal),
            (await Must(_berthd.LxcAsync("profile", "show", _prefix + "b"))).Stdout.Replace(_prefix + "b", "X", StringComparison.Ordinal));
        Assert.Equal("Error: Device already exists: v1", LastLine((await SameAsync("storage", "volume", "attach-profile", pool, "v1", _prefix + "b", "/mnt/x")).Stderr));
        await Must(_berthd.BerthAsync("storage", "volume", "detach-profile", pool, "v1", _prefix + "b"));
        Assert.DoesNotContain("/mnt/v1", (await Must(_berthd.LxcAsync("profile", "show", _prefix + "b"))).Stdout, StringComparison.Ordinal);
        Assert.Equal("Error: No device found for this storage volume", LastLine((await SameAsync("storage", "volume", "detach-profile", pool, "v1", _prefix + "b")).Stderr));
        await Must(_berthd.LxcAsync("storage", "volume", "detach-profile", pool, "v1", _prefix + "l"));
    }

    [Fact]
    public async Task Warnings_SameAsLxc()
    {
        foreach (var format in new[] { "table", "csv", "json", "yaml", "compact" })
        {
            await SameAsync("warning", "list", "-f", format);
        }

        await SameAsync("warning", "list", "--all", "-f", "csv");
        Assert.Equal("Error: Warning not found", LastLine((await SameAsync("warning", "show", "00000000-0000-0000-0000-000000000000")).Stderr));
        Assert.Equal(1, (await SameAsync("warning", "ack", "00000000-0000-0000-0000-000000000000")).ExitCode);
        Assert.Equal(1, (await SameAsync("warning", "delete", "00000000-0000-0000-0000-000000000000")).ExitCode);
    }
}
