using System.Text.Json;
using Berth.Api.Json;

namespace Berth.Api.Tests;

public class WireJsonTests
{
    [Fact]
    public void Profile_SerialisesFieldsInLxdOrderWithSortedMaps()
    {
        var profile = new Profile
        {
            Name = "default",
            Description = "Default LXD profile",
            Config = new() { ["z.key"] = "1", ["a.key"] = "2" },
            Devices = new() { ["root"] = new() { ["type"] = "disk", ["path"] = "/" }, ["eth0"] = new() { ["type"] = "nic" } },
            UsedBy = [],
        };

        var json = JsonSerializer.Serialize(profile, ApiJsonContext.Wire.Profile);

        Assert.Equal(
            """{"config":{"a.key":"2","z.key":"1"},"description":"Default LXD profile","devices":{"eth0":{"type":"nic"},"root":{"path":"/","type":"disk"}},"name":"default","used_by":[]}""",
            json);
    }

    [Fact]
    public void Server_PutsConfigFirstAndEnvironmentLast()
    {
        var json = JsonSerializer.Serialize(new Server { Auth = "trusted" }, ApiJsonContext.Wire.Server);
        using var doc = JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();

        Assert.Equal(["config", "api_extensions", "api_status", "api_version", "auth", "public", "auth_methods", "environment"], names);
    }

    [Fact]
    public void ConfigValue_ThatIsNotAString_IsRejected()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"config":{"a":1}}""", ApiJsonContext.Wire.ProfilePut));
    }

    [Fact]
    public void ApiExtensions_MatchLxd502()
    {
        Assert.Equal(318, ApiExtensions.All.Count);
        Assert.Equal("storage_zfs_remove_snapshots", ApiExtensions.All[0]);
        Assert.Contains("instances", ApiExtensions.All);
        Assert.Equal(ApiExtensions.All.Count, ApiExtensions.All.Distinct().Count());
    }
}
