using Berth.Api;
using Berth.Cli.Commands;

namespace Berth.Cli.Tests.Commands;

public class QueryCommandTests
{
    [Fact]
    public async Task Query_PrintsTabIndentedMetadata()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/profiles", FakeHandler.Sync("""["/1.0/profiles/default"]"""));

        Assert.Equal((0, "[\n\t\"/1.0/profiles/default\"\n]\n\n", ""), await cli.RunAsync("query", "/1.0/profiles"));
    }

    [Fact]
    public async Task Query_EmptyMetadata_PrintsNothing()
    {
        using var cli = new CliRunner();
        cli.Handler.On("PATCH", "/1.0/profiles/p1", FakeHandler.Sync("{}"));

        Assert.Equal((0, "", ""), await cli.RunAsync("query", "-X", "patch", "-d", """{"description":"x"}""", "/1.0/profiles/p1"));
        Assert.Equal("""{"description":"x"}""", cli.Handler.Requests[^1].Body);
    }

    [Fact]
    public async Task Query_RelativePath_Fails()
    {
        using var cli = new CliRunner();

        Assert.Equal((1, "", "Error: Query path must start with /\n"), await cli.RunAsync("query", "nope"));
    }

    [Fact]
    public async Task Query_Wait_PrintsTheOperation()
    {
        using var cli = new CliRunner();
        cli.Handler.On("POST", "/1.0/x", """{"type":"async","status":"Operation created","status_code":100,"operation":"/1.0/operations/42","error_code":0,"error":"","metadata":{}}""")
            .On("GET", "/1.0/operations/42/wait", FakeHandler.Sync("""{"id":"42","status":"Success"}"""));

        var (code, stdout, _) = await cli.RunAsync("query", "-X", "POST", "--wait", "/1.0/x");

        Assert.Equal(0, code);
        Assert.Equal("{\n\t\"id\": \"42\",\n\t\"status\": \"Success\"\n}\n\n", stdout);
    }
}

public class VersionCommandTests
{
    [Fact]
    public async Task Version_PrintsClientAndServer()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("{}"));

        Assert.Equal((0, $"Client version: {CliApp.ClientVersion}\nServer version: 5.0.2\n", ""), await cli.RunAsync("version"));
    }

    [Fact]
    public async Task Version_NoServer_SaysUnreachable()
    {
        using var cli = new CliRunner();

        var (code, stdout, _) = await cli.RunAsync("version");

        Assert.Equal(0, code);
        Assert.EndsWith("Server version: unreachable\n", stdout, StringComparison.Ordinal);
    }
}

public class InfoCommandTests
{
    [Fact]
    public async Task Info_LowercasesStorageDriverKeys()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0", ServerFixture.Server("{}"));

        var (code, stdout, _) = await cli.RunAsync("info");

        Assert.Equal(0, code);
        Assert.StartsWith("config: {}\napi_extensions: []\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  storage_supported_drivers:\n  - name: dir\n    version: \"1\"\n    remote: false\n", stdout, StringComparison.Ordinal);
    }
}

public class OperationListCommandTests
{
    [Fact]
    public async Task List_Table()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/operations?recursion=1", FakeHandler.Sync(
            """{"running":[{"id":"e12c","class":"token","description":"Executing operation","created_at":"2026-11-22T11:00:39.207352252Z","updated_at":"2026-11-22T11:00:39.207352252Z","status":"Running","status_code":103,"resources":null,"metadata":{"b":1,"a":2},"may_cancel":true,"err":"","location":"none"}]}"""));

        var (code, stdout, _) = await cli.RunAsync("operation", "list");

        Assert.Equal(0, code);
        Assert.Equal(
            """
            +------+-------+---------------------+---------+------------+----------------------+
            |  ID  | TYPE  |     DESCRIPTION     | STATUS  | CANCELABLE |       CREATED        |
            +------+-------+---------------------+---------+------------+----------------------+
            | e12c | TOKEN | Executing operation | RUNNING | YES        | 2026/11/22 11:00 UTC |
            +------+-------+---------------------+---------+------------+----------------------+

            """.ReplaceLineEndings("\n"),
            stdout);

        var (_, yaml, _) = await cli.RunAsync("operation", "list", "-f", "yaml");
        Assert.Contains("  created_at: 2026-11-22T11:00:39.207352252Z\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  resources: {}\n  metadata:\n    a: 2\n    b: 1\n", yaml, StringComparison.Ordinal);
    }
}

public class MonitorCommandTests
{
    [Fact]
    public void Yaml_SortsKeysAndEndsWithBlankLines()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(
            """{"type":"lifecycle","timestamp":"2026-11-22T10:52:46.289050893Z","metadata":{"action":"profile-created","source":"/1.0/profiles/mon1","requestor":{"username":"root","protocol":"unix","address":"@"}},"location":"none","project":"default"}""");

        // Captured from lxc 5.0.2 `lxc monitor --type lifecycle`.
        Assert.Equal(
            "location: none\nmetadata:\n  action: profile-created\n  requestor:\n    address: '@'\n    protocol: unix\n    username: root\n  source: /1.0/profiles/mon1\nproject: default\ntimestamp: \"2026-11-22T10:52:46.289050893Z\"\ntype: lifecycle\n\n\n",
            MonitorCommand.FormatYaml(doc.RootElement));
    }

    [Fact]
    public void Pretty_Lifecycle_IsOneLogLine()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(
            """{"action":"profile-created","source":"/1.0/profiles/mon1","requestor":{"username":"root","protocol":"unix","address":"@"}}""");
        var ev = new Event { Type = EventType.Lifecycle, Timestamp = new DateTimeOffset(2026, 11, 22, 10, 52, 46, TimeSpan.Zero), Metadata = doc.RootElement };

        Assert.Equal(
            "time=\"2026-11-22T10:52:46Z\" level=info msg=\"Action: profile-created, Source: /1.0/profiles/mon1, Requestor: unix/root (@)\"\n",
            MonitorCommand.Pretty(ev));
    }
}

public class CliErrorTests
{
    [Fact]
    public async Task UnknownCommand_Exits1WithErrorLine()
    {
        using var cli = new CliRunner();

        Assert.Equal((1, "", "Error: Unrecognized command or argument 'bogus'.\n"), await cli.RunAsync("bogus"));
    }

    [Fact]
    public async Task MissingDaemon_NamesTheSocket()
    {
        using var cli = new CliRunner();
        var host = new CliHost
        {
            Out = new StringWriter(),
            Error = new StringWriter { NewLine = "\n" },
            GetEnvironment = name => name == "BERTH_CONF" ? cli.ConfigDir : null,
            ConnectUnix = _ => Berth.Client.BerthClient.ConnectUnix("/nonexistent/berth.socket"),
        };

        var code = await CliApp.RunAsync(["profile", "list"], host, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.StartsWith("Error: Failed to connect to the daemon at unix socket /nonexistent/berth.socket", host.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_Bash_PrintsScript()
    {
        using var cli = new CliRunner();

        var (code, stdout, _) = await cli.RunAsync("completion", "bash");

        Assert.Equal(0, code);
        Assert.Contains("complete -o default -F _berth_complete berth", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteSwitch_SavesConfig()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(cli.ConfigDir);
        await File.WriteAllTextAsync(Path.Combine(cli.ConfigDir, "config.yml"), "default-remote: local\nremotes:\n  other:\n    addr: unix:///run/o.socket\n", TestContext.Current.CancellationToken);

        Assert.Equal((0, "", ""), await cli.RunAsync("remote", "switch", "other"));
        Assert.Equal((0, "other\n", ""), await cli.RunAsync("remote", "get-default"));

        await cli.RunAsync("profile", "list");
        Assert.Equal(["/run/o.socket"], cli.Sockets);
    }
}
