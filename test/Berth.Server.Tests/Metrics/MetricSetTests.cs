using Berth.Server.Metrics;

namespace Berth.Server.Tests.Metrics;

public sealed class MetricSetTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(4096.0, "4096")]
    [InlineData(98304.0, "98304")]
    [InlineData(100000.0, "100000")]
    [InlineData(999999.0, "999999")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(24683584000.0, "2.4683584e+10")]
    [InlineData(83391639552.0, "8.3391639552e+10")]
    [InlineData(0.02, "0.02")]
    [InlineData(0.004, "0.004")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5, "1.5")]
    [InlineData(123456.7, "123456.7")]
    [InlineData(-3.0, "-3")]
    [InlineData(1e21, "1e+21")]
    public void FormatValue_IsGosShortestG(double value, string expected)
    {
        Assert.Equal(expected, MetricSet.FormatValue(value));
    }

    [Fact]
    public void Render_TypesInLxdOrder_LabelsSorted_HelpTypeAndEof()
    {
        var set = new MetricSet();
        set.Add(MetricType.ProcsTotal, 2, new Dictionary<string, string> { ["type"] = "container", ["project"] = "default", ["name"] = "c1" });
        set.Add(MetricType.CpuSecondsTotal, 0.02, new Dictionary<string, string> { ["type"] = "container", ["name"] = "c1", ["project"] = "default", ["mode"] = "system", ["cpu"] = "0" });
        set.Add(MetricType.MemoryMemTotalBytes, 24683584000, new Dictionary<string, string> { ["name"] = "c1", ["project"] = "default", ["type"] = "container" });

        Assert.Equal(
            """
            # HELP lxd_cpu_seconds_total The total number of CPU time used in seconds.
            # TYPE lxd_cpu_seconds_total counter
            lxd_cpu_seconds_total{cpu="0",mode="system",name="c1",project="default",type="container"} 0.02
            # HELP lxd_memory_MemTotal_bytes The amount of used memory.
            # TYPE lxd_memory_MemTotal_bytes gauge
            lxd_memory_MemTotal_bytes{name="c1",project="default",type="container"} 2.4683584e+10
            # HELP lxd_procs_total The number of running processes.
            # TYPE lxd_procs_total gauge
            lxd_procs_total{name="c1",project="default",type="container"} 2
            # EOF

            """.ReplaceLineEndings("\n"),
            set.Render());
    }

    [Fact]
    public void Render_Empty_IsOnlyEof()
    {
        Assert.Equal("# EOF\n", new MetricSet().Render());
    }

    [Fact]
    public void Render_LabelValue_QuotesAndBackslashesEscaped()
    {
        var set = new MetricSet();
        set.Add(MetricType.FilesystemSizeBytes, 1, new Dictionary<string, string> { ["mountpoint"] = "/a\"b\\c" });

        Assert.Contains("lxd_filesystem_size_bytes{mountpoint=\"/a\\\"b\\\\c\"} 1\n", set.Render(), StringComparison.Ordinal);
    }
}
