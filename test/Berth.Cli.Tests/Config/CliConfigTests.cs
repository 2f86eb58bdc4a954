using Berth.Cli.Config;

namespace Berth.Cli.Tests.Config;

public class CliConfigTests
{
    [Fact]
    public void Load_MissingFile_GivesLocalDefault()
    {
        var config = CliConfig.Load(Path.Combine(Path.GetTempPath(), "berth-none-" + Guid.NewGuid().ToString("N")));

        Assert.Equal("local", config.DefaultRemote);
        Assert.Equal("unix://", config.Remotes["local"].Addr);
        Assert.Equal("simplestreams", config.Remotes["images"].Protocol);
        Assert.True(CliConfig.IsStatic("ubuntu"));
        Assert.False(CliConfig.IsStatic("images"));
    }

    [Fact]
    public void Parse_LxcConfigYml_ReadsRemotesAndAliases()
    {
        // The config.yml lxc 5.0 writes (client-env-checks.txt), plus an alias.
        var config = CliConfig.Parse("""
            default-remote: local
            remotes:
              images:
                addr: https://images.linuxcontainers.org
                protocol: simplestreams
                public: true
              local:
                addr: unix://
                public: false
            aliases:
              ls: list -c n
            """);

        Assert.Equal("local", config.DefaultRemote);
        Assert.True(config.Remotes["images"].Public);
        Assert.Equal("simplestreams", config.Remotes["images"].Protocol);
        Assert.False(config.Remotes["local"].Public);
        Assert.Equal("list -c n", config.Aliases["ls"]);
    }

    [Fact]
    public void Save_ThenLoad_RoundTrips()
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-cfg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = CliConfig.Load(dir);
            config.Remotes["other"] = new RemoteEntry { Addr = "unix:///run/other.socket", Protocol = "lxd" };
            config.DefaultRemote = "other";
            config.Save();

            var text = File.ReadAllText(Path.Combine(dir, "config.yml"));
            Assert.Equal(
                "default-remote: other\nremotes:\n  images:\n    addr: https://images.linuxcontainers.org\n    protocol: simplestreams\n    public: true\n  local:\n    addr: unix://\n    public: false\n  other:\n    addr: unix:///run/other.socket\n    protocol: lxd\n    public: false\naliases: {}\n",
                text);
            var loaded = CliConfig.Load(dir);
            Assert.Equal("other", loaded.DefaultRemote);
            Assert.Equal(config.Remotes["other"], loaded.Remotes["other"]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("p1", "local", "p1")]
    [InlineData("local:p1", "local", "p1")]
    [InlineData("local:", "local", "")]
    [InlineData("c1/snap:0", "local", "c1/snap:0")]
    public void ParseRemote_SplitsKnownRemotes(string raw, string remote, string name)
    {
        Assert.Equal((remote, name), new CliConfig().ParseRemote(raw));
    }

    [Fact]
    public void ParseRemote_UnknownRemote_Throws()
    {
        var e = Assert.Throws<CliException>(() => new CliConfig().ParseRemote("nope:p1"));

        Assert.Equal("The remote \"nope\" doesn't exist", e.Message);
    }

    [Theory]
    [InlineData("unix://", "/test/unix.socket")]
    [InlineData("unix:///run/x.socket", "/run/x.socket")]
    [InlineData("https://host:8443", null)]
    public void SocketPath_FromAddress(string addr, string? expected)
    {
        var path = CliContext.SocketPath(addr, name => name == "LXD_SOCKET" ? "/test/unix.socket" : null);

        Assert.Equal(expected, path);
    }
}
