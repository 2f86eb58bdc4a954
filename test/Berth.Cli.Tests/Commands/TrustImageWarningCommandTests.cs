using System.Net;
using System.Text;
using System.Text.Json;

namespace Berth.Cli.Tests.Commands;

public class ConfigTrustCommandTests
{
    private const string Operations = """
        {"running":[{"id":"op1","class":"token","description":"x","created_at":"2026-12-01T20:26:02Z","updated_at":"2026-12-01T20:26:02Z","status":"Running","status_code":103,"resources":null,
        "metadata":{"request":{"name":"t1","type":"client","restricted":false,"projects":[],"certificate":"","password":"","trust_token":"","token":true},"secret":"s3","fingerprint":"fp","addresses":["127.0.0.1:8443"]},"may_cancel":true,"err":"","location":"none"}]}
        """;

    private static string Token(string name) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"client_name":"{{name}}","fingerprint":"fp","addresses":["127.0.0.1:8443"],"secret":"s3","expires_at":"0001-01-01T00:00:00Z"}"""));

    [Fact]
    public async Task ListTokens_EncodesTheTokenAsLxc()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/operations?recursion=1", FakeHandler.Sync(Operations));

        Assert.Equal((0, $"t1,{Token("t1")},\n", ""), await cli.RunAsync("config", "trust", "list-tokens", "-f", "csv"));
        Assert.Equal((0, $$"""[{"ClientName":"t1","Token":"{{Token("t1")}}","ExpiresAt":""}]""" + "\n", ""), await cli.RunAsync("config", "trust", "list-tokens", "-f", "json"));
    }

    [Fact]
    public async Task Add_WithoutCertificate_IssuesToken()
    {
        using var cli = new CliRunner();
        var operation = JsonDocument.Parse(Operations).RootElement.GetProperty("running")[0].GetRawText();
        cli.Handler.On("POST", "/1.0/certificates", $$"""{"type":"async","status":"Operation created","status_code":100,"operation":"/1.0/operations/op1","error_code":0,"error":"","metadata":{{operation}}}""", HttpStatusCode.Accepted);

        var (code, stdout, err) = await cli.RunAsync("config", "trust", "add", "--name", "t1");

        Assert.Equal((0, $"Client t1 certificate add token:\n{Token("t1")}\n", ""), (code, stdout, err));
        Assert.Contains("\"token\":true", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"t1\"", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeToken_DeletesTheOperation_OrSaysWhichIsMissing()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/operations?recursion=1", FakeHandler.Sync(Operations)).On("DELETE", "/1.0/operations/op1", FakeHandler.Sync("{}"));

        Assert.Equal((0, "Certificate add token for t1 deleted\n", ""), await cli.RunAsync("config", "trust", "revoke-token", "t1"));
        Assert.Equal((1, "", "Error: No certificate add token for member t9 on remote: local\n"), await cli.RunAsync("config", "trust", "revoke-token", "t9"));
    }
}

public class ImageAliasCommandTests
{
    private const string Aliases = """[{"name":"zz10","description":"ten","target":"aaaaaaaaaaaaaaaa","type":"container"},{"name":"b","description":"","target":"bbbbbbbbbbbbbbbb","type":""},{"name":"zz9","description":"","target":"aaaaaaaaaaaaaaaa","type":"virtual-machine"}]""";

    [Fact]
    public async Task List_ColumnsSortAndFilters()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/images/aliases?recursion=1", FakeHandler.Sync(Aliases));

        Assert.Equal(
            (0, "b,bbbbbbbbbbbb,CONTAINER,\nzz9,aaaaaaaaaaaa,VIRTUAL-MACHINE,\nzz10,aaaaaaaaaaaa,CONTAINER,ten\n", ""),
            await cli.RunAsync("image", "alias", "list", "-f", "csv"));
        Assert.Equal((0, "b,bbbbbbbbbbbb,CONTAINER,\n", ""), await cli.RunAsync("image", "alias", "ls", "local:", "bbb", "-f", "csv"));
        Assert.Equal((0, "zz9,aaaaaaaaaaaa,VIRTUAL-MACHINE,\n", ""), await cli.RunAsync("image", "alias", "list", "zz9", "-f", "csv"));
    }

    [Fact]
    public async Task RenameAndDelete_UseTheAliasEndpoints()
    {
        using var cli = new CliRunner();
        cli.Handler.On("POST", "/1.0/images/aliases/a1", FakeHandler.Sync("{}")).On("DELETE", "/1.0/images/aliases/a2", FakeHandler.Sync("{}"));

        Assert.Equal(0, (await cli.RunAsync("image", "alias", "rename", "a1", "a3")).Code);
        Assert.Equal("""{"name":"a3"}""", cli.Handler.Requests[^1].Body);
        Assert.Equal(0, (await cli.RunAsync("image", "alias", "rm", "a2")).Code);
        Assert.Equal((1, "", "Error: not found\n"), await cli.RunAsync("image", "alias", "delete", "nope"));
    }

    [Fact]
    public async Task Properties_GetSetUnset()
    {
        using var cli = new CliRunner();
        const string Image = """{"auto_update":false,"properties":{"os":"busybox"},"public":false,"expires_at":"1970-01-01T00:00:00Z","profiles":["default"],"aliases":[],"architecture":"x86_64","cached":false,"filename":"f","fingerprint":"abc","size":1,"type":"container","created_at":"1970-01-01T00:00:00Z","last_used_at":"1970-01-01T00:00:00Z","uploaded_at":"1970-01-01T00:00:00Z"}""";
        cli.Handler.On("GET", "/1.0/images/abc", FakeHandler.Sync(Image), etag: "e1").On("PUT", "/1.0/images/abc", FakeHandler.Sync("{}"));

        Assert.Equal((0, "busybox\n", ""), await cli.RunAsync("image", "get-property", "abc", "os"));
        Assert.Equal((1, "", "Error: Property not found\n"), await cli.RunAsync("image", "get-property", "abc", "nope"));
        Assert.Equal(0, (await cli.RunAsync("image", "set-property", "abc", "k", "v")).Code);
        Assert.Contains("\"properties\":{\"k\":\"v\",\"os\":\"busybox\"}", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
        Assert.Equal("\"e1\"", cli.Handler.Requests[^1].IfMatch);
        Assert.Equal(0, (await cli.RunAsync("image", "unset-property", "abc", "os")).Code);
        Assert.Contains("\"properties\":{\"os\":\"\"}", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }
}

public class WarningAndVolumeCommandTests
{
    [Fact]
    public async Task WarningList_EmptyTableAndNotFound()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/warnings?recursion=1", FakeHandler.Sync("[]"))
            .On("GET", "/1.0/warnings/u1", FakeHandler.Error(404, "Warning not found"), HttpStatusCode.NotFound);

        Assert.Equal(
            (0, "+------+------+--------+----------+-------+---------+-----------+\n| UUID | TYPE | STATUS | SEVERITY | COUNT | PROJECT | LAST SEEN |\n+------+------+--------+----------+-------+---------+-----------+\n", ""),
            await cli.RunAsync("warning", "list"));
        Assert.Equal((0, "[]\n", ""), await cli.RunAsync("warning", "ls", "-f", "json"));
        Assert.Equal((1, "", "Error: Warning not found\n"), await cli.RunAsync("warning", "show", "u1"));
    }

    [Fact]
    public async Task VolumeInfo_NameTypeUsageAndSnapshots()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/storage-pools/p/volumes/custom/v1", FakeHandler.Sync("""{"config":{},"description":"","name":"v1","type":"custom","used_by":[],"location":"none","content_type":"filesystem"}"""))
            .On("GET", "/1.0/storage-pools/p/volumes/custom/v1/state", FakeHandler.Sync("""{"usage":{"used":1536,"total":0}}"""))
            .On("GET", "/1.0/storage-pools/p/volumes/custom/v1/snapshots?recursion=1", FakeHandler.Sync("""[{"config":{},"description":"d","expires_at":null,"name":"v1/s1","content_type":"filesystem","created_at":"2026-12-01T00:00:00Z"}]"""));

        var (code, stdout, err) = await cli.RunAsync("storage", "volume", "info", "p", "v1");

        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Equal(
            "Name: v1\nType: custom\nContent type: filesystem\nUsage: 1.50KiB\n\nSnapshots:\n+------+-------------+------------+\n| NAME | DESCRIPTION | EXPIRES AT |\n+------+-------------+------------+\n| s1   | d           |            |\n+------+-------------+------------+\n",
            stdout);
    }

    [Fact]
    public async Task AttachProfile_AddsDisk_DetachFindsIt()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/storage-pools/p/volumes/custom/v1", FakeHandler.Sync("""{"config":{},"description":"","name":"v1","type":"custom","used_by":[],"location":"none","content_type":"filesystem"}"""))
            .On("GET", "/1.0/profiles/pr", FakeHandler.Sync("""{"config":{},"description":"","devices":{},"name":"pr","used_by":[]}"""), etag: "e1")
            .On("PUT", "/1.0/profiles/pr", FakeHandler.Sync("{}"));

        Assert.Equal((0, "", ""), await cli.RunAsync("storage", "volume", "attach-profile", "p", "v1", "pr", "/mnt/v"));
        Assert.Equal("""{"config":{},"description":"","devices":{"v1":{"path":"/mnt/v","pool":"p","source":"v1","type":"disk"}}}""", cli.Handler.Requests[^1].Body);
        Assert.Equal((1, "", "Error: No device found for this storage volume\n"), await cli.RunAsync("storage", "volume", "detach-profile", "p", "v1", "pr"));
    }
}
