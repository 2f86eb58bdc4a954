using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public sealed class ProcessStartTests
{
    // Fields 1-24 of a real /proc/<pid>/stat; field 22 (start time) is 123456.
    private const string Tail = "S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 2244608 100 18446744073709551615";

    [Fact]
    public void Parse_PlainName_StartTime()
    {
        Assert.Equal(123456, ProcessStart.Parse("42 (init) " + Tail));
    }

    [Fact]
    public void Parse_NameWithSpacesAndParentheses_StartTime()
    {
        Assert.Equal(123456, ProcessStart.Parse("42 (a) b (c) " + Tail));
    }

    [Fact]
    public void Parse_Zombie_Zero()
    {
        Assert.Equal(0, ProcessStart.Parse("42 (init) Z" + Tail[1..]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("42 (init) S 1 1")]
    public void Parse_MissingOrShort_Zero(string? stat)
    {
        Assert.Equal(0, ProcessStart.Parse(stat));
    }

    [Fact]
    public void Of_ThisProcess_SameAsByKeptFile()
    {
        using var kept = Berth.Native.KernelFile.Open($"/proc/{Environment.ProcessId}/stat", out _)!;
        var start = ProcessStart.Parse(File.ReadAllText($"/proc/{Environment.ProcessId}/stat"));
        Assert.True(start > 0);
        Assert.Equal(start, ProcessStart.Of(kept));
    }
}
