namespace Berth.Cli.Tests.Commands;

public class RemoteCommandTests
{
    [Fact]
    public async Task List_FreshConfig_ShowsLxcDefaultRemotes()
    {
        using var cli = new CliRunner();

        var (code, stdout, _) = await cli.RunAsync("remote", "list", "--format", "csv");

        Assert.Equal(0, code);
        Assert.Equal(
            "images,https://images.linuxcontainers.org,simplestreams,none,YES,NO,NO\n" +
            "local (current),unix://,lxd,file access,NO,YES,NO\n" +
            "ubuntu,https://cloud-images.ubuntu.com/releases,simplestreams,none,YES,YES,NO\n" +
            "ubuntu-daily,https://cloud-images.ubuntu.com/daily,simplestreams,none,YES,YES,NO\n",
            stdout);
    }

    [Theory]
    [InlineData("remove", "ubuntu")]
    [InlineData("rename", "ubuntu-daily", "u2")]
    [InlineData("set-url", "local", "https://127.0.0.1:8443")]
    public async Task StaticRemote_CannotBeModified(params string[] args)
    {
        using var cli = new CliRunner();

        var (code, _, stderr) = await cli.RunAsync(["remote", .. args]);

        Assert.Equal(1, code);
        Assert.Equal($"Error: Remote {args[1]} is static and cannot be modified\n", stderr);
        Assert.False(File.Exists(Path.Combine(cli.ConfigDir, "config.yml")));
    }

    [Fact]
    public async Task RemoveImages_StaysRemovedAfterSave()
    {
        using var cli = new CliRunner();

        Assert.Equal(0, (await cli.RunAsync("remote", "remove", "images")).Code);
        var (_, stdout, _) = await cli.RunAsync("remote", "list", "--format", "csv");

        Assert.DoesNotContain("images,", stdout, StringComparison.Ordinal);
        Assert.Contains("ubuntu,", stdout, StringComparison.Ordinal);
        Assert.Equal(
            "default-remote: local\nremotes:\n  local:\n    addr: unix://\n    public: false\naliases: {}\n",
            File.ReadAllText(Path.Combine(cli.ConfigDir, "config.yml")));
    }

    [Fact]
    public async Task SetUrl_ChangesTheAddress()
    {
        using var cli = new CliRunner();

        Assert.Equal(0, (await cli.RunAsync("remote", "set-url", "images", "https://127.0.0.1:9443")).Code);
        var (_, stdout, _) = await cli.RunAsync("remote", "list", "--format", "csv");

        Assert.Contains("images,https://127.0.0.1:9443,simplestreams,none,YES,NO,NO\n", stdout, StringComparison.Ordinal);
        Assert.Equal((1, "", "Error: Remote nope doesn't exist\n"), await cli.RunAsync("remote", "set-url", "nope", "https://x"));
    }
}
