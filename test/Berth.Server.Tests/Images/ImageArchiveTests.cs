using Berth.Api;
using Berth.Server.Images;

namespace Berth.Server.Tests.Images;

public sealed class ImageArchiveTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Inspect_Unified_ReadsMetadataAndType()
    {
        var path = Write("u.tar.gz", TestImages.Unified(TestImages.Metadata("amd64")));

        var contents = ImageArchive.Inspect(path, null);

        Assert.Equal("x86_64", contents.Metadata.Architecture);
        Assert.Equal(1700000000, contents.Metadata.CreationDate);
        Assert.Equal("testos", contents.Metadata.Properties!["os"]);
        Assert.Equal("container", contents.Type);
        Assert.Equal(FileKind.Gzip, contents.MetadataKind);
    }

    [Fact]
    public void Inspect_Split_ChecksBothFiles()
    {
        var (meta, root) = TestImages.Split();

        var contents = ImageArchive.Inspect(Write("m.tar.gz", meta), Write("r.tar.gz", root));

        Assert.Equal(FileKind.Gzip, contents.RootfsKind);
    }

    [Fact]
    public void Inspect_Truncated_Throws400()
    {
        var image = TestImages.Unified();
        var path = Write("t.tar.gz", image[..(image.Length / 2)]);

        var e = Assert.Throws<ApiException>(() => ImageArchive.Inspect(path, null));

        Assert.Equal(400, e.Status);
        Assert.Contains("corrupt or truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_SmallImage_IsReadWhole() =>
        Assert.True(ImageArchive.Inspect(Write("s.tar.gz", TestImages.Unified()), null).Complete);

    [Fact]
    public void Inspect_LargeImage_ReadsTheHeadAndVerifyReadsTheRest()
    {
        var path = Write("l.tar.gz", TestImages.Large());

        var contents = ImageArchive.Inspect(path, null);
        ImageArchive.Verify(path, null, TestContext.Current.CancellationToken);

        Assert.False(contents.Complete);
        Assert.Equal("container", contents.Type);
    }

    [Fact]
    public void Inspect_LargeCorruptInTheMiddle_PassesButVerifyThrows400()
    {
        var path = Write("c.tar.gz", TestImages.CorruptMiddle(TestImages.Large()));

        var contents = ImageArchive.Inspect(path, null);
        var e = Assert.Throws<ApiException>(() => ImageArchive.Verify(path, null, TestContext.Current.CancellationToken));

        Assert.False(contents.Complete);
        Assert.Equal(400, e.Status);
        Assert.Contains("corrupt or truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_LargeCut_IsReadWholeAndThrows400()
    {
        var path = Write("t.tar.gz", TestImages.CutNoticeably(TestImages.Large()));

        var e = Assert.Throws<ApiException>(() => ImageArchive.Inspect(path, null));

        Assert.Equal(400, e.Status);
        Assert.Contains("corrupt or truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_NotAnArchive_Throws400()
    {
        var e = Assert.Throws<ApiException>(() => ImageArchive.Inspect(Write("x", "just text, not a tarball"u8.ToArray()), null));
        Assert.Equal(400, e.Status);
    }

    [Theory]
    [InlineData("architecture: x86_64\n", "creation_date")]
    [InlineData("creation_date: 1700000000\n", "architecture")]
    [InlineData("architecture: pdp11\ncreation_date: 1700000000\n", "Unsupported architecture")]
    [InlineData("architecture: [x86_64\n", "Invalid metadata.yaml")]
    public void Inspect_BadMetadata_Throws400(string metadata, string message)
    {
        var e = Assert.Throws<ApiException>(() => ImageArchive.Inspect(Write("b.tar.gz", TestImages.Unified(metadata)), null));

        Assert.Equal(400, e.Status);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_NoMetadata_Throws400()
    {
        var e = Assert.Throws<ApiException>(() => ImageArchive.Inspect(Write("n.tar.gz", TestImages.Unified(withMetadata: false)), null));
        Assert.Contains("metadata.yaml is missing", e.Message, StringComparison.Ordinal);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
