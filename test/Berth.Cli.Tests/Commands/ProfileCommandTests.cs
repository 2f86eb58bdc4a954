using System.Net;

namespace Berth.Cli.Tests.Commands;

internal static class ProfileFixture
{
    public const string P1 = """{"config":{"limits.cpu":"2"},"description":"","devices":{"eth0":{"nictype":"bridged","parent":"br0","type":"nic"}},"name":"p1","used_by":[]}""";

    public static CliRunner WithP1(string etag = "etag-p1")
    {
        var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/profiles/p1", FakeHandler.Sync(P1), etag: etag)
            .On("PUT", "/1.0/profiles/p1", FakeHandler.Sync("{}"))
            .On("GET", "/1.0/profiles/nope", FakeHandler.Error(404, "Profile not found"), HttpStatusCode.NotFound);
        return cli;
    }
}

public class ProfileListCommandTests
{
    [Fact]
    public async Task List_Csv()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/profiles?recursion=1", FakeHandler.Sync("[" + ProfileFixture.P1 + """,{"config":{},"description":"Default LXD profile","devices":{},"name":"default","used_by":["/1.0/instances/c1"]}]"""));

        Assert.Equal((0, "default,Default LXD profile,1\np1,,0\n", ""), await cli.RunAsync("profile", "list", "--format", "csv"));
    }

    [Fact]
    public async Task List_BadFormat_Exits1()
    {
        using var cli = new CliRunner();

        var (code, _, err) = await cli.RunAsync("profile", "ls", "-f", "xml");

        Assert.Equal(1, code);
        Assert.StartsWith("Error: ", err, StringComparison.Ordinal);
    }
}

public class ProfileShowCommandTests
{
    [Fact]
    public async Task Show_PrintsYaml()
    {
        using var cli = ProfileFixture.WithP1();

        var (code, stdout, _) = await cli.RunAsync("profile", "show", "local:p1");

        Assert.Equal(0, code);
        Assert.Equal("config:\n  limits.cpu: \"2\"\ndescription: \"\"\ndevices:\n  eth0:\n    nictype: bridged\n    parent: br0\n    type: nic\nname: p1\nused_by: []\n", stdout);
    }

    [Fact]
    public async Task Show_Missing_PrintsServerErrorAndExits1()
    {
        using var cli = ProfileFixture.WithP1();

        Assert.Equal((1, "", "Error: Profile not found\n"), await cli.RunAsync("profile", "show", "nope"));
    }

    [Fact]
    public async Task Show_UnknownRemote_Exits1()
    {
        using var cli = ProfileFixture.WithP1();

        Assert.Equal((1, "", "Error: The remote \"bad\" doesn't exist\n"), await cli.RunAsync("profile", "show", "bad:p1"));
    }
}

public class ProfileSetCommandTests
{
    [Theory]
    [InlineData("limits.memory=1GiB")]
    [InlineData("limits.memory", "1GiB")]
    public async Task Set_KeyValue_SendsPutWithIfMatch(params string[] args)
    {
        using var cli = ProfileFixture.WithP1();

        var (code, _, _) = await cli.RunAsync(["profile", "set", "p1", .. args]);

        Assert.Equal(0, code);
        var put = cli.Handler.Requests[^1];
        Assert.Equal("\"etag-p1\"", put.IfMatch);
        Assert.Equal("""{"config":{"limits.cpu":"2","limits.memory":"1GiB"},"description":"","devices":{"eth0":{"nictype":"bridged","parent":"br0","type":"nic"}}}""", put.Body);
    }

    [Fact]
    public async Task Set_Property_ChangesDescription()
    {
        using var cli = ProfileFixture.WithP1();

        await cli.RunAsync("profile", "set", "p1", "--property", "description", "hello world");

        Assert.Contains("\"description\":\"hello world\"", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }
}

public class ProfileUnsetCommandTests
{
    [Fact]
    public async Task Unset_RemovesKey()
    {
        using var cli = ProfileFixture.WithP1();

        await cli.RunAsync("profile", "unset", "p1", "limits.cpu");

        Assert.StartsWith("""{"config":{},""", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }
}

public class ProfileCreateCommandTests
{
    [Fact]
    public async Task Create_WithYamlOnStdin_PostsIt()
    {
        using var cli = new CliRunner { Stdin = "description: web\nconfig:\n  limits.cpu: 2\n" };
        cli.Handler.On("POST", "/1.0/profiles", FakeHandler.Sync("{}"), HttpStatusCode.Created);

        var (code, stdout, _) = await cli.RunAsync("profile", "create", "web");

        Assert.Equal(0, code);
        Assert.Equal("Profile web created\n", stdout);
        Assert.Equal("""{"config":{"limits.cpu":"2"},"description":"web","devices":{},"name":"web"}""", cli.Handler.Requests[^1].Body);
    }

    [Fact]
    public async Task Create_Quiet_PrintsNothing()
    {
        using var cli = new CliRunner();
        cli.Handler.On("POST", "/1.0/profiles", FakeHandler.Sync("{}"));

        Assert.Equal((0, "", ""), await cli.RunAsync("profile", "create", "web", "-q"));
    }
}

public class ProfileEditCommandTests
{
    [Fact]
    public async Task Edit_FromStdin_IgnoresNameAndUsedBy()
    {
        using var cli = ProfileFixture.WithP1();
        cli.Stdin = "config: {}\ndescription: edited\ndevices: {}\nname: other\nused_by: []\n";

        var (code, _, _) = await cli.RunAsync("profile", "edit", "p1");

        Assert.Equal(0, code);
        Assert.Equal("""{"config":{},"description":"edited","devices":{}}""", cli.Handler.Requests[^1].Body);
        Assert.Equal("\"etag-p1\"", cli.Handler.Requests[^1].IfMatch);
    }
}

public class ProfileRenameCommandTests
{
    [Fact]
    public async Task Rename_PostsNewName()
    {
        using var cli = new CliRunner();
        cli.Handler.On("POST", "/1.0/profiles/p1", FakeHandler.Sync("{}"));

        Assert.Equal((0, "Profile p1 renamed to p2\n", ""), await cli.RunAsync("profile", "rename", "p1", "p2"));
        Assert.Equal("""{"name":"p2"}""", cli.Handler.Requests[^1].Body);
    }
}

public class ProfileDeviceCommandTests
{
    [Fact]
    public async Task Add_Existing_Fails()
    {
        using var cli = ProfileFixture.WithP1();

        Assert.Equal((1, "", "Error: The device already exists\n"), await cli.RunAsync("profile", "device", "add", "p1", "eth0", "nic"));
    }

    [Fact]
    public async Task Add_New_PutsDevice()
    {
        using var cli = ProfileFixture.WithP1();

        var (code, stdout, _) = await cli.RunAsync("profile", "device", "add", "p1", "root", "disk", "path=/", "pool=default");

        Assert.Equal(0, code);
        Assert.Equal("Device root added to p1\n", stdout);
        Assert.Contains("\"root\":{\"path\":\"/\",\"pool\":\"default\",\"type\":\"disk\"}", cli.Handler.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_MissingDevice_Fails()
    {
        using var cli = ProfileFixture.WithP1();

        Assert.Equal((1, "", "Error: Device doesn't exist\n"), await cli.RunAsync("profile", "device", "set", "p1", "eth9", "mtu=1400"));
    }

    [Fact]
    public async Task ListShowGet()
    {
        using var cli = ProfileFixture.WithP1();

        Assert.Equal((0, "eth0\n", ""), await cli.RunAsync("profile", "device", "list", "p1"));
        Assert.Equal((0, "eth0:\n  nictype: bridged\n  parent: br0\n  type: nic\n", ""), await cli.RunAsync("profile", "device", "show", "p1"));
        Assert.Equal((0, "br0\n", ""), await cli.RunAsync("profile", "device", "get", "p1", "eth0", "parent"));
    }
}
