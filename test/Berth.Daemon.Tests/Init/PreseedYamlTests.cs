using Berth.Api;
using Berth.Daemon.Init;

namespace Berth.Daemon.Tests.Init;

public sealed class PreseedYamlTests
{
    [Fact]
    public void Parse_LxdPreseed_ScalarsOfAnyKindAreText()
    {
        var seed = PreseedYaml.Parse("""
            config:
              core.https_address: 127.0.0.1:8443
              images.auto_update_interval: 15
            networks:
            - name: lxdbr0
              type: bridge
              config:
                ipv4.address: auto
                ipv4.nat: true
                ipv6.address: none
            storage_pools:
            - name: default
              driver: dir
              config: {}
            profiles:
            - name: default
              devices:
                root:
                  path: /
                  pool: default
                  type: disk
            cluster:
              enabled: false
            """);

        Assert.Equal("15", seed.Config!["images.auto_update_interval"]);
        var network = Assert.Single(seed.Networks!);
        Assert.Equal(("lxdbr0", "bridge", "true"), (network.Name, network.Type, network.Config!["ipv4.nat"]));
        Assert.Equal("dir", Assert.Single(seed.StoragePools!).Driver);
        Assert.Equal("default", seed.Profiles![0].Devices!["root"]["pool"]);
        Assert.Equal("false", seed.Cluster!.Enabled);
    }

    [Fact]
    public void Parse_Json_Works()
    {
        var seed = PreseedYaml.Parse("""{"config": {"core.trust_password": "x"}, "projects": [{"name": "default"}]}""");

        Assert.Equal("x", seed.Config!["core.trust_password"]);
        Assert.Equal("default", Assert.Single(seed.Projects!).Name);
    }

    [Theory]
    [InlineData("config: [a]\n")]
    [InlineData("networks: {name: x}\n")]
    [InlineData("profiles: [unclosed\n")]
    public void Parse_Malformed_Is400(string text)
    {
        var e = Assert.Throws<ApiException>(() => PreseedYaml.Parse(text));
        Assert.Equal(400, e.Status);
        Assert.StartsWith("Failed to parse the preseed: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_IsLxdDumpLayout_AndParsesBack()
    {
        var seed = new Preseed
        {
            Config = new() { ["images.auto_update_interval"] = "15" },
            Networks = [],
            StoragePools = [new StoragePoolsPost { Config = new() { ["source"] = "/var/lib/berth/pool" }, Description = "", Name = "default", Driver = "dir" }],
            Profiles = [new PreseedProfile { Config = [], Description = "Default profile", Devices = new() { ["root"] = new() { ["path"] = "/", ["pool"] = "default", ["type"] = "disk" } }, Name = "default" }],
            Projects = [new PreseedProject { Config = new() { ["features.images"] = "true", ["features.profiles"] = "true" }, Description = "Default LXD project", Name = "default" }],
        };

        var yaml = PreseedYaml.Write(seed);

        Assert.Equal("""
            config:
              images.auto_update_interval: "15"
            networks: []
            storage_pools:
            - config:
                source: /var/lib/berth/pool
              description: ""
              name: default
              driver: dir
            profiles:
            - config: {}
              description: Default profile
              devices:
                root:
                  path: /
                  pool: default
                  type: disk
              name: default
            projects:
            - config:
                features.images: "true"
                features.profiles: "true"
              description: Default LXD project
              name: default

            """.ReplaceLineEndings("\n"), yaml);
        Assert.Equal(yaml, PreseedYaml.Write(PreseedYaml.Parse(yaml)));
    }
}
