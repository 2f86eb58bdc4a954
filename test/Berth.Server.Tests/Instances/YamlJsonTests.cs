using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public sealed class YamlJsonTests
{
    [Fact]
    public void Parse_PlainScalars_AreTyped_QuotedStayStrings()
    {
        var node = YamlJson.Parse("""
            name: c1
            optimized: false
            count: 3
            config:
              limits.cpu: "2"
              flag: "true"
            snapshots:
            - s1
            nothing: ~
            """)!;

        Assert.Equal("c1", node["name"]!.GetValue<string>());
        Assert.False(node["optimized"]!.GetValue<bool>());
        Assert.Equal(3, node["count"]!.GetValue<long>());
        Assert.Equal("2", node["config"]!["limits.cpu"]!.GetValue<string>());
        Assert.Equal("true", node["config"]!["flag"]!.GetValue<string>());
        Assert.Equal("s1", node["snapshots"]![0]!.GetValue<string>());
        Assert.Null(node["nothing"]);
    }

    [Fact]
    public void Parse_JsonFlowMapping_ReadsAsYaml()
    {
        var node = YamlJson.Parse("config: {\"container\": {\"name\": \"c1\", \"ephemeral\": false}}\n")!;

        Assert.Equal("c1", node["config"]!["container"]!["name"]!.GetValue<string>());
        Assert.False(node["config"]!["container"]!["ephemeral"]!.GetValue<bool>());
    }

    [Fact]
    public void Parse_Malformed_ThrowsInvalidData() =>
        Assert.Throws<InvalidDataException>(() => YamlJson.Parse("a: [unclosed"));
}
