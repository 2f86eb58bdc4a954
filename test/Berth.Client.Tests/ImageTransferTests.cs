using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Berth.Api;
using Berth.Client.Transport;

namespace Berth.Client.Tests;

public class ImageTransferTests
{
    private const string Boundary = "b0undary";

    /// <summary>Hands out at most <c>chunk</c> bytes per read, so boundaries fall across reads.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }

    private sealed class OneResponseHandler(Func<HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Paths.Add(request.RequestUri!.PathAndQuery);
            return Task.FromResult(respond());
        }
    }

    private static byte[] Multipart(params (string Name, string FileName, byte[] Data)[] parts)
    {
        using var body = new MemoryStream();
        body.Write("preamble\r\n"u8);
        foreach (var (name, fileName, data) in parts)
        {
            body.Write(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
            body.Write(data);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        return body.ToArray();
    }

    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);

        // Near-misses of the delimiter inside the data must be kept as data.
        Encoding.ASCII.GetBytes($"\r\n--{Boundary[..4]}").CopyTo(data, length / 2);
        return data;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public async Task Reader_CopiesEachPartExactly_WhateverTheReadSizes(int chunk)
    {
        var meta = Data(3000, 1);
        var rootfs = Data((1 << 20) + 12345, 2);
        var reader = new MultipartFileReader(new TrickleStream(Multipart(("metadata", "meta-x.tar.xz", meta), ("rootfs", "x.squashfs", rootfs)), chunk), Boundary);
        using var first = new MemoryStream();
        using var second = new MemoryStream();

        var a = await reader.CopyNextAsync(_ => first, TestContext.Current.CancellationToken);
        var b = await reader.CopyNextAsync(_ => second, TestContext.Current.CancellationToken);
        var end = await reader.CopyNextAsync(_ => throw new InvalidOperationException(), TestContext.Current.CancellationToken);

        Assert.Equal(new MultipartPart("metadata", "meta-x.tar.xz"), a!.Value.Part);
        Assert.Equal(meta.Length, a.Value.Size);
        Assert.Equal(meta, first.ToArray());
        Assert.Equal(new MultipartPart("rootfs", "x.squashfs"), b!.Value.Part);
        Assert.Equal(rootfs, second.ToArray());
        Assert.Null(end);
    }

    [Fact]
    public async Task Reader_TruncatedBody_IsInvalidData()
    {
        var body = Multipart(("metadata", "m", Data(5000, 3)));
        var reader = new MultipartFileReader(new MemoryStream(body[..4000]), Boundary);

        await Assert.ThrowsAsync<InvalidDataException>(() => reader.CopyNextAsync(_ => Stream.Null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ExportImage_SplitImage_WritesBothFilesAndChecksTheFingerprint()
    {
        var meta = Data(2000, 4);
        var rootfs = Data(70000, 5);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData([.. meta, .. rootfs]));
        var body = Multipart(("metadata", $"meta-{fingerprint}.tar.xz", meta), ("rootfs", $"{fingerprint}.squashfs", rootfs));
        HttpResponseMessage Respond()
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }

        var handler = new OneResponseHandler(Respond);
        using var client = new BerthClient(handler);
        using var metaFile = new MemoryStream();
        using var rootfsFile = new MemoryStream();
        long lastProgress = 0;

        var result = await client.ExportImageAsync(fingerprint, metaFile, rootfsFile, (done, _) => lastProgress = done, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal($"/1.0/images/{fingerprint}/export", Assert.Single(handler.Paths));
        Assert.Equal(new ImageFileResult($"meta-{fingerprint}.tar.xz", meta.Length, $"{fingerprint}.squashfs", rootfs.Length), result);
        Assert.Equal(meta, metaFile.ToArray());
        Assert.Equal(rootfs, rootfsFile.ToArray());
        Assert.Equal(meta.Length + rootfs.Length, lastProgress);

        using var again = new BerthClient(new OneResponseHandler(Respond));
        var wrong = await Assert.ThrowsAsync<ApiException>(() => again.ExportImageAsync(new string('0', 64), Stream.Null, Stream.Null, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("doesn't match", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullImage_TriesEachServer_AndSendsTheSourceAsLxc()
    {
        var failed = """{"id":"op1","class":"task","status":"Failure","status_code":400,"err":"unreachable","metadata":null}""";
        var done = """{"id":"op2","class":"task","status":"Success","status_code":200,"err":"","metadata":{"fingerprint":"abc"}}""";
        var queue = new Queue<string>([failed, done]);
        var handler = new OneResponseHandler(() => new HttpResponseMessage(HttpStatusCode.Accepted)
        {
            Content = new StringContent($$"""{"type":"async","status":"Operation created","status_code":100,"operation":"/1.0/operations/x","metadata":{{queue.Dequeue()}}}""", Encoding.UTF8, "application/json"),
        });
        using var client = new BerthClient(handler);
        var request = new ImagesPost { AutoUpdate = true, Source = new ImagesPostSource { Type = "image", Mode = "pull", Protocol = "lxd", Fingerprint = "bb", Secret = "s" } };

        var fingerprint = await client.PullImageAsync(request, ["https://a:8443", "https://b:8443"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("abc", fingerprint);
        Assert.Equal(["/1.0/images", "/1.0/images"], handler.Paths);
        Assert.Equal("https://b:8443", request.Source.Server);
    }
}
