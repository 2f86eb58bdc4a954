using System.Text.Json;
using Berth.Api.Yaml;

namespace Berth.Api.Tests.Yaml;

public class YamlWriterTests
{
    private static string Yaml(string json, bool sortKeys = false, bool plainTimestamps = false)
    {
        using var document = JsonDocument.Parse(json);
        return YamlWriter.Write(document.RootElement, sortKeys, plainTimestamps);
    }

    [Fact]
    public void Profile_MatchesLxcProfileShow()
    {
        var json = """
            {"config":{"limits.cpu":"2","user.long":"this is a long value with many spaces in it so that it exceeds the yaml width of eighty columns for sure yes"},
             "description":"","devices":{"eth0":{"nictype":"bridged","parent":"br0","type":"nic"}},"name":"p1","used_by":[]}
            """;

        // Captured from lxc 5.0.2 `lxc profile show p1`.
        Assert.Equal(
            """
            config:
              limits.cpu: "2"
              user.long: this is a long value with many spaces in it so that it exceeds the yaml
                width of eighty columns for sure yes
            description: ""
            devices:
              eth0:
                nictype: bridged
                parent: br0
                type: nic
            name: p1
            used_by: []

            """.ReplaceLineEndings("\n"),
            Yaml(json));
    }

    [Fact]
    public void ListOfObjects_IndentsLikeYamlV2()
    {
        var json = """[{"config":{},"description":"Default LXD profile","used_by":["/1.0/instances/c1"]}]""";

        Assert.Equal(
            "- config: {}\n  description: Default LXD profile\n  used_by:\n  - /1.0/instances/c1\n",
            Yaml(json));
    }

    [Theory]
    [InlineData("y", "\"y\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("1_000", "\"1_000\"")]
    [InlineData("+1", "\"+1\"")]
    [InlineData(".5", "\".5\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("1:20", "\"1:20\"")]
    [InlineData("2020-01-01", "\"2020-01-01\"")]
    [InlineData("", "\"\"")]
    [InlineData("tab\tx", "\"tab\\tx\"")]
    [InlineData("a: b", "'a: b'")]
    [InlineData(" lead", "' lead'")]
    [InlineData("#x", "'#x'")]
    [InlineData("a #b", "'a #b'")]
    [InlineData("@", "'@'")]
    [InlineData("it's", "it's")]
    [InlineData("é ünïcode", "é ünïcode")]
    [InlineData("127.0.0.1:8443", "127.0.0.1:8443")]
    [InlineData("-x", "-x")]
    public void Scalars_AreQuotedLikeLxc(string value, string expected) =>
        Assert.Equal("k: " + expected + "\n", Yaml(JsonSerializer.Serialize(new Dictionary<string, string> { ["k"] = value })));

    [Fact]
    public void MultiLineStrings_AreLiteralBlocks()
    {
        Assert.Equal("a: |-\n  multi\n  line\nb: |\n  trailing\n", Yaml("""{"a":"multi\nline","b":"trailing\n"}"""));
    }

    [Fact]
    public void Timestamps_PlainOnlyForTimeFields()
    {
        const string json = """{"created_at":"2026-11-22T07:37:26.778424375Z","user.t":"2026-11-22T07:37:26Z"}""";

        Assert.Equal("created_at: 2026-11-22T07:37:26.778424375Z\nuser.t: \"2026-11-22T07:37:26Z\"\n", Yaml(json, plainTimestamps: true));
        Assert.StartsWith("created_at: \"2026", Yaml(json), StringComparison.Ordinal);
    }

    [Fact]
    public void SortKeys_SortsEveryLevel()
    {
        Assert.Equal("a:\n  x: 1\n  z: 2\nb: null\n", Yaml("""{"b":null,"a":{"z":2,"x":1}}""", sortKeys: true));
    }

    [Fact]
    public void Keys_ThatReadAsBooleans_AreQuoted() => Assert.Equal("\"y\": 1\n", Yaml("""{"y":1}"""));

    [Fact]
    public void EmptyDocument_IsEmptyMap() => Assert.Equal("{}\n", Yaml("{}"));
}
