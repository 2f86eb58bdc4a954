namespace Berth.System.Tests;

/// <summary>berth's server, profile, operation and query commands against a real berthd.</summary>
public sealed class BerthCliTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync() => _berthd = await BerthdProcess.StartAsync();

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task VersionAndInfo()
    {
        var version = await _berthd.BerthAsync("version");
        Assert.Matches(@"^Client version: \d+\.\d+\.\d+\nServer version: \d+\.\d+\.\d+\n$", version.Stdout);
        var info = await _berthd.BerthAsync("info");
        Assert.Contains($"server_pid: {_berthd.Pid}", info.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigSetGetUnsetAndBadKey()
    {
        Assert.Equal(0, (await _berthd.BerthAsync("config", "set", "images.auto_update_interval=7")).ExitCode);
        Assert.Equal("7\n", (await _berthd.BerthAsync("config", "get", "images.auto_update_interval")).Stdout);
        var bad = await _berthd.BerthAsync("config", "set", "no.such.key", "1");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("Error: ", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await _berthd.BerthAsync("config", "unset", "images.auto_update_interval")).ExitCode);
        Assert.Equal("config: {}\n", (await _berthd.BerthAsync("config", "show")).Stdout);
    }

    [Fact]
    public async Task ProfileLifecycle_MatchesWhatLxcSees()
    {
        Assert.Equal(0, (await _berthd.BerthAsync("profile", "create", "web")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("profile", "set", "web", "limits.cpu", "2")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("profile", "device", "add", "web", "data", "disk", "source=/srv", "path=/srv")).ExitCode);
        var edit = await _berthd.BerthStdinAsync("description: edited\nconfig:\n  limits.cpu: \"3\"\ndevices: {}\n", "profile", "edit", "web");
        Assert.True(edit.ExitCode == 0, edit.ToString());

        Assert.Equal((await _berthd.LxcAsync("profile", "show", "web")).Stdout, (await _berthd.BerthAsync("profile", "show", "web")).Stdout);
        Assert.Equal((await _berthd.LxcAsync("profile", "list", "--format", "csv")).Stdout, (await _berthd.BerthAsync("profile", "list", "--format", "csv")).Stdout);
        Assert.Equal(0, (await _berthd.BerthAsync("profile", "rename", "web", "www")).ExitCode);
        Assert.Equal(0, (await _berthd.BerthAsync("profile", "delete", "www")).ExitCode);
        Assert.Equal(1, (await _berthd.BerthAsync("profile", "delete", "default")).ExitCode);
        Assert.Equal("default,Default LXD profile,0\n", (await _berthd.BerthAsync("profile", "list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task OperationListAndQuery()
    {
        var operations = await _berthd.BerthAsync("operation", "list", "--format", "csv");
        Assert.Equal((0, ""), (operations.ExitCode, operations.Stdout));
        var query = await _berthd.BerthAsync("query", "/1.0/profiles");
        Assert.Equal((await _berthd.LxcAsync("query", "/1.0/profiles")).Stdout, query.Stdout);
        Assert.Equal(1, (await _berthd.BerthAsync("query", "/1.0/nope")).ExitCode);
    }
}
