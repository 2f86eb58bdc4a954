using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>
/// What LXD's own suites (exec, config_profiles) found through Debian's lxc against a real berthd with busybox
/// containers: a detached exec's recorded output as instance logs (<c>record-output</c>), and device keys unset
/// with <c>lxc profile|config device unset</c>.
/// </summary>
public sealed class UpstreamSuiteTests : IAsyncLifetime
{
    private readonly string _prefix = "u" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Exec_RecordOutput_StdoutAndStderrAreLogs_ReadThenDeleted()
    {
        var name = _prefix + "-x";
        await Ok("launch", "busybox", name);

        var body = """{"command":["sh","-c","echo hello; echo oops >&2; exit 3"],"record-output":true}""";
        var id = Json(await Ok("query", "-X", "POST", "-d", body, $"/1.0/instances/{name}/exec")).GetProperty("id").GetString()!;
        var op = Json(await Ok("query", $"/1.0/operations/{id}/wait?timeout=30"));
        Assert.Equal("Success", op.GetProperty("status").GetString());
        var metadata = op.GetProperty("metadata");
        Assert.Equal(3, metadata.GetProperty("return").GetInt32());
        var stdout = metadata.GetProperty("output").GetProperty("1").GetString()!;
        var stderr = metadata.GetProperty("output").GetProperty("2").GetString()!;
        Assert.Equal($"/1.0/instances/{name}/logs/exec_{id}.stdout", stdout);
        Assert.Equal($"/1.0/instances/{name}/logs/exec_{id}.stderr", stderr);

        Assert.Equal("hello\n", await Ok("query", stdout));
        Assert.Equal("oops\n", await Ok("query", stderr));
        Assert.Contains($"exec_{id}.stdout", await Ok("query", $"/1.0/instances/{name}/logs"), StringComparison.Ordinal);

        // As lxc exec does once it has read them: delete both; they are gone from the list and from the API.
        await Ok("query", "-X", "DELETE", stdout);
        await Ok("query", "-X", "DELETE", stderr);
        Assert.DoesNotContain($"exec_{id}", await Ok("query", $"/1.0/instances/{name}/logs"), StringComparison.Ordinal);
        var gone = await _berthd.LxcAsync("query", stdout);
        Assert.Equal(1, gone.ExitCode);

        // Without record-output nothing is kept and no output is reported.
        var plain = Json(await Ok("query", "-X", "POST", "-d", """{"command":["true"],"record-output":false}""", $"/1.0/instances/{name}/exec")).GetProperty("id").GetString()!;
        var plainOp = Json(await Ok("query", $"/1.0/operations/{plain}/wait?timeout=30"));
        Assert.Equal(0, plainOp.GetProperty("metadata").GetProperty("return").GetInt32());
        Assert.False(plainOp.GetProperty("metadata").TryGetProperty("output", out _));
        Assert.DoesNotContain("exec_", await Ok("query", $"/1.0/instances/{name}/logs"), StringComparison.Ordinal);
        await Ok("delete", "--force", name);
    }

    [Fact]
    public async Task DeviceUnset_ProfileAndInstance_KeyIsGone_NotEmpty()
    {
        var profile = _prefix + "-p";
        var name = _prefix + "-d";
        await Ok("profile", "create", profile);
        await Ok("profile", "device", "add", profile, "eth0", "nic", "nictype=p2p");
        await Ok("profile", "device", "set", profile, "eth0", "limits.egress", "100Mbit");
        Assert.Contains("limits.egress: 100Mbit", await Ok("profile", "show", profile), StringComparison.Ordinal);
        await Ok("profile", "device", "unset", profile, "eth0", "limits.egress");
        var shown = await Ok("profile", "show", profile);
        Assert.DoesNotContain("limits.egress", shown, StringComparison.Ordinal);
        Assert.Contains("nictype: p2p", shown, StringComparison.Ordinal);

        var source = Path.Combine(_berthd.Dir + "-mnt");
        Directory.CreateDirectory(source);
        try
        {
            await Ok("init", "busybox", name);
            await Ok("config", "device", "add", name, "mnt1", "disk", "source=" + source, "path=/mnt1", "readonly=true");
            Assert.Contains("readonly: \"true\"", await Ok("config", "show", name), StringComparison.Ordinal);
            await Ok("config", "device", "unset", name, "mnt1", "readonly");
            Assert.DoesNotContain("readonly", await Ok("config", "show", name), StringComparison.Ordinal);
            Assert.Equal("", (await Ok("config", "device", "get", name, "mnt1", "readonly")).Trim());
            await Ok("delete", name);
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }

        await Ok("profile", "delete", profile);
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private async Task<string> Ok(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}");
        return result.Stdout;
    }
}
