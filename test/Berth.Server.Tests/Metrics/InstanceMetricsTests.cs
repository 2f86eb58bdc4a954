using Berth.Api;
using Berth.Server.Metrics;

namespace Berth.Server.Tests.Metrics;

public sealed class InstanceMetricsTests
{
    private const long HostMemory = 24683584L * 1024;

    [Fact]
    public void AddCgroup_V1_LimitUsageSwapCpuProcs_AsLxdComputesThem()
    {
        var files = new Dictionary<string, string>
        {
            ["memory.stat"] = "total_cache 4096\ntotal_rss 94208\n",
            ["memory.usage_in_bytes"] = "630784",
            ["memory.limit_in_bytes"] = "134217728",
            ["memory.memsw.usage_in_bytes"] = "700000",
            ["cpuacct.usage_all"] = "cpu user system\n0 4000000 20000000\n",
            ["blkio.throttle.io_service_bytes_recursive"] = "Total 0\n",
            ["blkio.throttle.io_serviced_recursive"] = "Total 0\n",
            ["pids.current"] = "2",
        };
        var set = new MetricSet();

        InstanceMetrics.AddCgroup(set, "default", "c1", files.GetValueOrDefault, v2: false, HostMemory, new Dictionary<string, string>());

        var text = set.Render();
        const string labels = "name=\"c1\",project=\"default\",type=\"container\"";
        Assert.Contains($"lxd_memory_MemTotal_bytes{{{labels}}} 1.34217728e+08\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_memory_MemFree_bytes{{{labels}}} {MetricSet.FormatValue(134217728 - 630784)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_memory_MemAvailable_bytes{{{labels}}} {MetricSet.FormatValue(134217728 - 630784 + 4096)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_memory_Swap_bytes{{{labels}}} 69216\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_memory_RSS_bytes{{{labels}}} 94208\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_cpu_seconds_total{{cpu=\"0\",mode=\"system\",{labels}}} 0.02\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_cpu_seconds_total{{cpu=\"0\",mode=\"user\",{labels}}} 0.004\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_procs_total{{{labels}}} 2\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lxd_disk_", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCgroup_V2_NoLimitIsHostMemory_MissingFilesLeftOut()
    {
        var files = new Dictionary<string, string>
        {
            ["memory.current"] = "1000",
            ["memory.max"] = "max",
            ["cpu.stat"] = "user_usec 1000\nsystem_usec 2000\n",
            ["io.stat"] = "254:0 rbytes=4096 wbytes=0 rios=1 wios=0\n",
        };
        var set = new MetricSet();

        InstanceMetrics.AddCgroup(set, "default", "c2", files.GetValueOrDefault, v2: true, HostMemory, new Dictionary<string, string> { ["254:0"] = "vda" });

        var text = set.Render();
        Assert.Contains($"lxd_memory_MemTotal_bytes{{name=\"c2\",project=\"default\",type=\"container\"}} {MetricSet.FormatValue(HostMemory)}\n", text, StringComparison.Ordinal);
        Assert.Contains("lxd_cpu_seconds_total{cpu=\"0\",mode=\"system\",name=\"c2\",project=\"default\",type=\"container\"} 0.002\n", text, StringComparison.Ordinal);
        Assert.Contains("lxd_disk_read_bytes_total{device=\"vda\",name=\"c2\",project=\"default\",type=\"container\"} 4096\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lxd_memory_Swap_bytes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lxd_memory_Cached_bytes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("lxd_procs_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFilesystemsAndNetwork_LabelsAsLxd()
    {
        var set = new MetricSet();
        InstanceMetrics.AddFilesystems(set, "default", "c1", [new FilesystemSample("", "btrfs", "/", 100, 60, 50)]);
        InstanceMetrics.AddNetwork(set, "default", "c1", new Dictionary<string, InstanceStateNetwork>
        {
            ["lo"] = new() { Counters = new() { BytesReceived = 5, PacketsDroppedOutbound = 1 } },
        });

        var text = set.Render();
        Assert.Contains("lxd_filesystem_avail_bytes{device=\"\",fstype=\"btrfs\",mountpoint=\"/\",name=\"c1\",project=\"default\"} 50\n", text, StringComparison.Ordinal);
        Assert.Contains("lxd_network_receive_bytes_total{device=\"lo\",name=\"c1\",project=\"default\",type=\"container\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("lxd_network_transmit_drop_total{device=\"lo\",name=\"c1\",project=\"default\",type=\"container\"} 1\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0xEF53L, "ext4")]
    [InlineData(unchecked((long)0xFFFFFFFF9123683EUL), "btrfs")]
    [InlineData(0x9123683EL, "btrfs")]
    [InlineData(0x794C7630L, "0x794c7630")]
    public void FsTypeName_LxdsNames_ElseHex(long magic, string name)
    {
        Assert.Equal(name, InstanceMetrics.FsTypeName(magic));
    }
}
