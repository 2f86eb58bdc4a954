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

    [Theory]
    [InlineData("2026-11-22T07:27:39Z", "2026-11-22T07:27:39Z")]
    [InlineData("2026-11-22T07:34:02.7653958+00:00", "2026-11-22T07:34:02.7653958Z")]
    [InlineData("2026-11-22T09:34:02.5+02:00", "2026-11-22T07:34:02.5Z")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z")]
    public void Times_AreWrittenAsGoRfc3339Nano(string input, string expected)
    {
        var op = new Operation { CreatedAt = DateTimeOffset.Parse(input, System.Globalization.CultureInfo.InvariantCulture) };
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(op, ApiJsonContext.Wire.Operation));
        Assert.Equal(expected, doc.RootElement.GetProperty("created_at").GetString());
    }
}
