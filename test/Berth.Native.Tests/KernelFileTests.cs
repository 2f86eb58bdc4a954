namespace Berth.Native.Tests;

public sealed class KernelFileTests
{
    [Fact]
    public void Read_KeptFile_TextMadeAnewEachRead()
    {
        using var uptime = KernelFile.Open("/proc/uptime", out var errno);
        Assert.NotNull(uptime);
        Assert.Equal(0, errno);

        var first = KernelFiles.Read(uptime, out _);
        Thread.Sleep(30);
        var second = KernelFiles.Read(uptime, out _);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.True(double.Parse(second.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) > double.Parse(first.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Read_KeptFileLargerThanOneRead_Whole()
    {
        using var maps = KernelFile.Open("/proc/self/maps", out _);
        Assert.NotNull(maps);

        var text = KernelFiles.Read(maps, out var errno);

        Assert.Equal(0, errno);
        Assert.True(text!.Length > 4096, $"{text.Length} chars");
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Disposed_NullWithEbadf()
    {
        var file = KernelFile.Open("/proc/uptime", out _)!;
        file.Dispose();

        Assert.Null(KernelFiles.Read(file, out var errno));
        Assert.Equal(9, errno);
    }

    [Fact]
    public void Open_Missing_NullWithEnoent()
    {
        Assert.Null(KernelFile.Open("/proc/no-such-file", out var errno));
        Assert.Equal(2, errno);
    }
}
