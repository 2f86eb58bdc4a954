using Berth.Api;
using Berth.Server.Images;

namespace Berth.Server.Tests.Images;

public sealed class UploadInspectorTests
{
    [Fact]
    public async Task Gzip_FedInSmallChunks_InspectsWhileStreaming()
    {
        var image = TestImages.Unified(TestImages.Metadata("amd64"));

        var contents = await (await FeedAsync(image, chunk: 7))!;

        Assert.Equal("x86_64", contents.Metadata.Architecture);
        Assert.Equal("container", contents.Type);
        Assert.Equal(FileKind.Gzip, contents.MetadataKind);
    }

    [Fact]
    public async Task Truncated_FailsWith400()
    {
        var image = TestImages.Unified();

        var inspection = await FeedAsync(image[..(image.Length / 2)], chunk: 1024);

        var e = await Assert.ThrowsAsync<ApiException>(() => inspection!);
        Assert.Equal(400, e.Status);
        Assert.Contains("corrupt or truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_StopsTheScannerEarly_AndTheRestIsStillAccepted()
    {
        // Far more than the pipe holds: feeding must not block once the scanner has given up.
        var garbage = new byte[32 << 20];
        garbage[0] = 0x1f;
        garbage[1] = 0x8b;

        var inspection = await FeedAsync(garbage, chunk: 1 << 20).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(400, (await Assert.ThrowsAsync<ApiException>(() => inspection!)).Status);
    }

    [Fact]
    public async Task XzUpload_IsLeftToTheInspectionAfterTheUpload()
    {
        byte[] xz = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3];

        Assert.Null(await FeedAsync(xz, chunk: 4096));
    }

    [Fact]
    public async Task FailedUpload_DisposeEndsTheScanner()
    {
        var image = TestImages.Unified();
        var inspector = new UploadInspector();
        await inspector.WriteAsync(image.AsMemory(0, image.Length / 2), TestContext.Current.CancellationToken);

        await inspector.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    private static async Task<Task<ImageContents>?> FeedAsync(byte[] bytes, int chunk)
    {
        await using var inspector = new UploadInspector();
        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            await inspector.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)), CancellationToken.None);
        }

        return await inspector.CompleteAsync();
    }
}
