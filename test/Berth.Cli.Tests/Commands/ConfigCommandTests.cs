using System.Net;

namespace Berth.Cli.Tests.Commands;

internal static class ServerFixture
{
    public static string Server(string config) =>
        FakeHandler.Sync($$$"""{"config":{{{config}}},"api_extensions":[],"api_status":"stable","api_version":"1.0","auth":"trusted","public":false,"auth_methods":["tls"],"environment":{"server_version":"5.0.2","storage_supported_drivers":[{"Name":"dir","Version":"1","Remote":false}]}}""");
}

public class ConfigSetCommandTests
{
    [Theory]
    [InlineData("core.https_address=:8443")]
    [InlineData("core.https_address", ":8443")]
    [InlineData("local:", "core.https_address=:8443")]
    public async Task Set_KeyValue_SendsPutWithIfMatch(params string[] args)
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("""{"images.auto_update_interval":"6"}"""), etag: "e1")
            .On("PUT", "/1.0", FakeHandler.Sync("{}"));

        var (code, _, err) = await cli.RunAsync(["config", "set", .. args]);

        Assert.Equal(0, code);
        Assert.Equal("", err);
        var put = cli.Handler.Requests[^1];
        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.Equal("\"e1\"", put.IfMatch);
        Assert.Equal("""{"config":{"core.https_address":":8443","images.auto_update_interval":"6"}}""", put.Body);
        Assert.Equal(["/test/unix.socket"], cli.Sockets);
    }

    [Fact]
    public async Task Set_ServerRejects_PrintsErrorAndExits1()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("{}"))
            .On("PUT", "/1.0", FakeHandler.Error(400, "cannot set 'bogus.key' to 'x': unknown key"), HttpStatusCode.BadRequest);

        var (code, stdout, err) = await cli.RunAsync("config", "set", "bogus.key=x");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("Error: cannot set 'bogus.key' to 'x': unknown key\n", err);
    }
}

public class ConfigGetCommandTests
{
    [Fact]
    public async Task Get_SetAndUnsetKeys()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("""{"images.auto_update_interval":"12"}"""));

        Assert.Equal((0, "12\n", ""), await cli.RunAsync("config", "get", "images.auto_update_interval"));
        Assert.Equal((0, "\n", ""), await cli.RunAsync("config", "get", "local:", "nope"));
    }
}

public class ConfigUnsetCommandTests
{
    [Fact]
    public async Task Unset_RemovesKey()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("""{"a":"1","b":"2"}"""), etag: "e").On("PUT", "/1.0", FakeHandler.Sync("{}"));

        var (code, _, _) = await cli.RunAsync("config", "unset", "a");

        Assert.Equal(0, code);
        Assert.Equal("""{"config":{"b":"2"}}""", cli.Handler.Requests[^1].Body);
    }
}

public class ConfigShowCommandTests
{
    [Fact]
    public async Task Show_PrintsWritableConfig()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("""{"images.auto_update_interval":"12","core.https_address":"127.0.0.1:18443"}"""));

        var (code, stdout, _) = await cli.RunAsync("config", "show");

        Assert.Equal(0, code);
        Assert.Equal("config:\n  core.https_address: 127.0.0.1:18443\n  images.auto_update_interval: \"12\"\n", stdout);
    }
}

public class ConfigEditCommandTests
{
    [Fact]
    public async Task Edit_FromStdin_PutsWithETag()
    {
        using var cli = new CliRunner { Stdin = "config:\n  images.auto_update_interval: 13\n" };
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("""{"a":"1"}"""), etag: "e9").On("PUT", "/1.0", FakeHandler.Sync("{}"));

        var (code, _, err) = await cli.RunAsync("config", "edit");

        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Equal("""{"config":{"images.auto_update_interval":"13"}}""", cli.Handler.Requests[^1].Body);
        Assert.Equal("\"e9\"", cli.Handler.Requests[^1].IfMatch);
    }

    [Fact]
    public async Task Edit_InEditor_RoundTripsTheYaml()
    {
        using var cli = new CliRunner();
        string? shown = null;
        cli.Edit = text =>
        {
            shown = text;
            return text.Replace("\"6\"", "\"7\"", StringComparison.Ordinal);
        };
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("""{"images.auto_update_interval":"6"}"""), etag: "e").On("PUT", "/1.0", FakeHandler.Sync("{}"));

        var (code, _, _) = await cli.RunAsync("config", "edit");

        Assert.Equal(0, code);
        Assert.Contains("config:\n  images.auto_update_interval: \"6\"\n", shown, StringComparison.Ordinal);
        Assert.Equal("""{"config":{"images.auto_update_interval":"7"}}""", cli.Handler.Requests[^1].Body);
    }

    [Fact]
    public async Task Edit_BadYamlFromStdin_Exits1()
    {
        using var cli = new CliRunner { Stdin = "config: [unclosed\n" };
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("{}"));

        var (code, _, err) = await cli.RunAsync("config", "edit");

        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", err, StringComparison.Ordinal);
        Assert.DoesNotContain(cli.Handler.Requests, r => r.Method == HttpMethod.Put);
    }
}
