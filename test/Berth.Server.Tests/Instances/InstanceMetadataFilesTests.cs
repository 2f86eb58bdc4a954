using Berth.Api;
using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public sealed class InstanceMetadataFilesTests
{
    private const string BusyboxYaml = """
        architecture: x86_64
        creation_date: 1700000000
        properties:
          description: BusyBox x86_64
          os: BusyBox
        templates:
          /etc/hostname:
            when: [create, copy]
            template: hostname.tpl
        """;

    [Fact]
    public void Parse_ImageMetadata_KeepsPropertiesAndTemplates()
    {
        var wire = InstanceMetadataFiles.ToWire(InstanceMetadataFiles.Parse(BusyboxYaml));

        Assert.Equal("x86_64", wire.Architecture);
        Assert.Equal(1700000000, wire.CreationDate);
        Assert.Equal("BusyBox", wire.Properties!["os"]);
        var template = wire.Templates!["/etc/hostname"];
        Assert.Equal(["create", "copy"], template.When!);
        Assert.Equal("hostname.tpl", template.Template);
        Assert.False(template.CreateOnly);
    }

    [Fact]
    public void Parse_NoRequiredFields_GivesEmptyMetadata()
    {
        // An instance's metadata.yaml is read as LXD does: nothing is required (unlike an image's on import).
        var wire = InstanceMetadataFiles.ToWire(InstanceMetadataFiles.Parse("properties:\n  os: x\n"));
        Assert.Equal("", wire.Architecture);
        Assert.Equal(0, wire.CreationDate);
        Assert.Null(wire.Templates);
    }

    [Fact]
    public void Parse_Invalid_Throws()
    {
        var e = Assert.Throws<ApiException>(() => InstanceMetadataFiles.Parse("properties: [unclosed"));
        Assert.StartsWith("Invalid metadata.yaml", e.Message);
    }

    [Fact]
    public void FromWire_ThenYaml_RoundTrips()
    {
        var wire = new InstanceMetadata
        {
            Architecture = "aarch64",
            CreationDate = 5,
            ExpiryDate = 6,
            Properties = new() { ["os"] = "BB" },
            Templates = new() { ["/etc/hosts"] = new InstanceMetadataTemplate { When = ["start"], CreateOnly = true, Template = "hosts.tpl" } },
        };

        var yaml = InstanceMetadataFiles.ToYaml(wire);
        var back = InstanceMetadataFiles.ToWire(InstanceMetadataFiles.Parse(yaml));

        Assert.Contains("create_only: true", yaml, StringComparison.Ordinal);
        Assert.Equal("aarch64", back.Architecture);
        Assert.Equal(6, back.ExpiryDate);
        Assert.Equal("BB", back.Properties!["os"]);
        Assert.True(back.Templates!["/etc/hosts"].CreateOnly);
        Assert.Equal(["start"], back.Templates["/etc/hosts"].When!);
    }
}
