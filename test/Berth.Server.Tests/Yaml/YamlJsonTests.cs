using Berth.Server.Yaml;

namespace Berth.Server.Tests.Yaml;

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

    [Fact]
    public void Read_AnyScalarFitsAStringField_NumbersKeptAsWritten()
    {
        var metadata = YamlJson.Read("""
            architecture: amd64
            creation_date: "1700000000"
            properties:
              release: 1.10
              serial: 20240101
              cloud: true
              empty:
            """, YamlDocuments.Default.ImageMetadata)!;

        Assert.Equal("amd64", metadata.Architecture);
        Assert.Equal(1700000000, metadata.CreationDate);
        Assert.Equal("1.10", metadata.Properties!["release"]);
        Assert.Equal("20240101", metadata.Properties["serial"]);
        Assert.Equal("true", metadata.Properties["cloud"]);
        Assert.Null(metadata.Properties["empty"]);
    }

    [Theory]
    [InlineData("creation_date: soon\n", "creation_date")]
    [InlineData("properties: [a, b]\n", "properties")]
    [InlineData("properties:\n  os: {nested: map}\n", "properties.os")]
    public void Read_WrongShape_ThrowsInvalidDataNamingTheField(string yaml, string field)
    {
        var e = Assert.Throws<InvalidDataException>(() => YamlJson.Read(yaml, YamlDocuments.Default.ImageMetadata));
        Assert.StartsWith(field + ":", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyDocument_IsDefault() =>
        Assert.Null(YamlJson.Read("", YamlDocuments.Default.ImageMetadata));

    [Fact]
    public void Write_IsYamlV2Style_AndReadsBack()
    {
        var metadata = new Berth.Server.Images.ImageMetadata
        {
            Architecture = "x86_64",
            CreationDate = 1700000000,
            Properties = new() { ["os"] = "Debian", ["release"] = "12" },
            Templates = new() { ["/etc/hostname"] = new() { When = ["create", "copy"], Template = "hostname.tpl" } },
        };

        var yaml = YamlJson.Write(metadata, YamlDocuments.Default.ImageMetadata);
        var back = YamlJson.Read(yaml, YamlDocuments.Default.ImageMetadata)!;

        Assert.StartsWith("architecture: x86_64\ncreation_date: 1700000000\nexpiry_date: 0\nproperties:\n  os: Debian\n  release: \"12\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    when:\n    - create\n    - copy\n", yaml, StringComparison.Ordinal);
        Assert.Equal("12", back.Properties!["release"]);
        Assert.Equal(["create", "copy"], back.Templates!["/etc/hostname"].When);
        Assert.Equal("hostname.tpl", back.Templates["/etc/hostname"].Template);
    }
}
