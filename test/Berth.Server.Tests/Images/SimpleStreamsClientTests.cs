using System.Text.Json;
using Berth.Server.Images.SimpleStreams;

namespace Berth.Server.Tests.Images;

public class SimpleStreamsClientTests
{
    private const string Products = """
        {"content_id":"images","datatype":"image-downloads","format":"products:1.0","products":{
          "debian:bookworm:amd64:default":{"aliases":"debian/12,debian/bookworm","arch":"amd64","os":"debian","release":"bookworm","release_title":"12","variant":"default",
            "versions":{
              "20260101_0000":{"items":{
                 "lxd.tar.xz":{"ftype":"lxd.tar.xz","path":"images/old/lxd.tar.xz","sha256":"m1","size":10,"combined_squashfs_sha256":"aaa1"},
                 "root.squashfs":{"ftype":"squashfs","path":"images/old/rootfs.squashfs","sha256":"r1","size":100}}},
              "20261101_0000":{"items":{
                 "lxd.tar.xz":{"ftype":"lxd.tar.xz","path":"images/new/lxd.tar.xz","sha256":"m2","size":10,"combined_squashfs_sha256":"bbb2","combined_rootxz_sha256":"ccc3"},
                 "root.squashfs":{"ftype":"squashfs","path":"images/new/rootfs.squashfs","sha256":"r2","size":100},
                 "root.tar.xz":{"ftype":"root.tar.xz","path":"images/new/root.tar.xz","sha256":"r3","size":90}}},
              "current":{"items":{}}}},
          "weird:1:pdp11:default":{"aliases":"w","arch":"pdp11","os":"weird","release":"1","variant":"default",
            "versions":{"20260101_0000":{"items":{"lxd_combined.tar.gz":{"ftype":"lxd_combined.tar.gz","path":"x","sha256":"ddd4","size":1}}}}},
          "bb:1:amd64:default":{"aliases":"bb","arch":"amd64","os":"busybox","release":"1","variant":"default",
            "versions":{"20260505_0101":{"items":{"lxd_combined.tar.gz":{"ftype":"lxd_combined.tar.gz","path":"streams/files/eee5/lxd_combined.tar.gz","sha256":"eee5","size":7}}}}}
        }}
        """;

    private static readonly Uri Root = new("https://images.example/");

    [Fact]
    public void ToImages_MapsSplitAndUnifiedItemsToFingerprints()
    {
        var images = SimpleStreamsClient.ToImages(Root, JsonSerializer.Deserialize(Products, SimpleStreamsJsonContext.Default.StreamsProducts)!);

        Assert.Equal(["aaa1", "bbb2", "ccc3", "eee5"], images.Select(i => i.Fingerprint).Order());
        var squashfs = images.Single(i => i.Fingerprint == "bbb2");
        Assert.Equal(new Uri("https://images.example/images/new/lxd.tar.xz"), squashfs.Metadata.Url);
        Assert.Equal("r2", squashfs.Rootfs!.Sha256);
        Assert.Equal("x86_64", squashfs.Architecture);
        Assert.Equal("debian", squashfs.Properties["os"]);
        Assert.Null(images.Single(i => i.Fingerprint == "eee5").Rootfs);
    }

    [Fact]
    public void ToImages_AliasesNameOnlyTheNewestVersion()
    {
        var images = SimpleStreamsClient.ToImages(Root, JsonSerializer.Deserialize(Products, SimpleStreamsJsonContext.Default.StreamsProducts)!);

        Assert.Empty(images.Single(i => i.Fingerprint == "aaa1").Aliases);
        Assert.Equal(["debian/12", "debian/bookworm"], images.Single(i => i.Fingerprint == "bbb2").Aliases);
    }
}
