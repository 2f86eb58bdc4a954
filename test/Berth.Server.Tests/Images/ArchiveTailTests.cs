using System.Diagnostics;
using Berth.Server.Images;

namespace Berth.Server.Tests.Images;

public sealed class ArchiveTailTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Gzip_WholeLooksComplete_CutDoesNot()
    {
        var image = TestImages.Unified();

        Assert.True(ArchiveTail.LooksComplete(Write("whole.tar.gz", image), FileKind.Gzip));
        Assert.False(ArchiveTail.LooksComplete(Write("cut.tar.gz", TestImages.CutNoticeably(image)), FileKind.Gzip));
    }

    [Fact]
    public void Tar_NeedsWholeBlocksAndTheZeroEnd()
    {
        var tar = Write("t.tar", Decompressed(TestImages.Unified()));
        var bytes = File.ReadAllBytes(tar);

        Assert.True(ArchiveTail.LooksComplete(tar, FileKind.Tar));
        Assert.False(ArchiveTail.LooksComplete(Write("odd.tar", bytes[..^100]), FileKind.Tar));
        Assert.False(ArchiveTail.LooksComplete(Write("short.tar", bytes[..512]), FileKind.Tar));
    }

    [Fact]
    public void Xz_NeedsItsFooter()
    {
        var xz = Write("t.tar.xz", []);
        using (var tool = Process.Start(new ProcessStartInfo("sh", ["-c", $"printf 'some tar bytes' | xz -c > {xz}"]))!)
        {
            tool.WaitForExit();
        }

        var bytes = File.ReadAllBytes(xz);

        Assert.True(ArchiveTail.LooksComplete(xz, FileKind.Xz));
        Assert.False(ArchiveTail.LooksComplete(Write("cut.tar.xz", bytes[..^1]), FileKind.Xz));
    }

    [Fact]
    public void Others_AreNeverTrustedByTheirTail() =>
        Assert.False(ArchiveTail.LooksComplete(Write("t.tar.zst", TestImages.Unified()), FileKind.Zstd));

    private static byte[] Decompressed(byte[] gzip)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gzip), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
