namespace Berth.Cli.Tests.Commands;

public class InstanceConfigCommandTests
{
    private const string C1 = """
        {"architecture":"x86_64","config":{"user.a":"1","limits.cpu":"2"},"devices":{"d1":{"path":"/x","source":"/tmp","type":"disk"}},
         "ephemeral":false,"profiles":["default"],"stateful":false,"description":"",
         "expanded_config":{"limits.cpu":"2","user.a":"1","user.p":"from-profile"},
         "expanded_devices":{"d1":{"path":"/x","source":"/tmp","type":"disk"},"root":{"path":"/","pool":"p","type":"disk"}},
         "name":"c1","status":"Stopped","status_code":102,"type":"container","project":"default"}
        """;

    private static CliRunner WithC1()
    {
        var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/instances/c1", FakeHandler.Sync(C1), etag: "e1");
        cli.Handler.On("PUT", "/1.0/instances/c1", FakeHandler.Sync("{}"));
        return cli;
    }

    [Fact]
    public async Task Set_InstanceKeys_PutsSortedConfigWithIfMatch()
    {
        using var cli = WithC1();

        Assert.Equal((0, "", ""), await cli.RunAsync("config", "set", "c1", "user.b=2", "limits.cpu="));

        var put = cli.Handler.Requests[^1];
        Assert.Equal("e1", put.IfMatch?.Trim('"'));
        Assert.Contains("\"config\":{\"user.a\":\"1\",\"user.b\":\"2\"}", put.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_InstanceAndOnePair_IsTheInstance()
    {
        using var cli = WithC1();

        Assert.Equal((0, "", ""), await cli.RunAsync("config", "set", "c1", "user.b=2"));
        Assert.Contains("\"user.b\":\"2\"", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_TwoWordsWithoutInstance_IsAServerKey()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", FakeHandler.Sync("""{"config":{},"api_extensions":[],"api_status":"stable","api_version":"1.0","auth":"trusted","public":false}"""));
        cli.Handler.On("PUT", "/1.0", FakeHandler.Sync("{}"));

        Assert.Equal(0, (await cli.RunAsync("config", "set", "core.https_address", ":8443")).Code);
        Assert.Equal("""{"config":{"core.https_address":":8443"}}""", cli.Handler.Requests[^1].Body);
    }

    [Fact]
    public async Task GetAndUnset_OwnAndExpanded()
    {
        using var cli = WithC1();

        Assert.Equal((0, "\n", ""), await cli.RunAsync("config", "get", "c1", "user.p"));
        Assert.Equal((0, "from-profile\n", ""), await cli.RunAsync("config", "get", "c1", "user.p", "--expanded"));
        Assert.Equal((1, "", "Error: Can't unset key 'user.p', it's not currently set\n"), await cli.RunAsync("config", "unset", "c1", "user.p"));
        Assert.DoesNotContain(cli.Handler.Requests, r => r.Method == HttpMethod.Put);
    }

    [Fact]
    public async Task Device_InheritedFromProfile_IsReadOnlyButOverridable()
    {
        using var cli = WithC1();

        Assert.Equal(
            (1, "", "Error: Device from profile(s) cannot be modified for individual instance. Override device or modify profile instead\n"),
            await cli.RunAsync("config", "device", "set", "c1", "root", "size=1GiB"));
        Assert.Equal((0, "Device root overridden for c1\n", ""), await cli.RunAsync("config", "device", "override", "c1", "root", "size=1GiB"));
        Assert.Contains("\"root\":{\"path\":\"/\",\"pool\":\"p\",\"size\":\"1GiB\",\"type\":\"disk\"}", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileAssign_ReplacesTheList()
    {
        using var cli = WithC1();

        Assert.Equal((0, "Profiles (none) applied to c1\n", ""), await cli.RunAsync("profile", "assign", "c1", ""));
        Assert.Contains("\"profiles\":[]", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
        Assert.Equal((1, "", "Error: Profile web isn't currently applied to c1\n"), await cli.RunAsync("profile", "remove", "c1", "web"));
    }

    [Fact]
    public async Task Show_Instance_AsLxcPrintsIt()
    {
        using var cli = WithC1();

        var (code, stdout, _) = await cli.RunAsync("config", "show", "c1");

        Assert.Equal(0, code);
        Assert.Equal(
            "architecture: x86_64\nconfig:\n  limits.cpu: \"2\"\n  user.a: \"1\"\ndevices:\n  d1:\n    path: /x\n    source: /tmp\n    type: disk\n" +
            "ephemeral: false\nprofiles:\n- default\nstateful: false\ndescription: \"\"\n",
            stdout);
    }
}
