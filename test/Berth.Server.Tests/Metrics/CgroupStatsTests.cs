using Berth.Server.Metrics;

namespace Berth.Server.Tests.Metrics;

public sealed class CgroupStatsTests
{
    [Fact]
    public void Memory_V1_HierarchicalTotalsWin_RssOnlyFromTotal()
    {
        var text = "cache 100\nrss 5\nshmem 1\nmapped_file 2\nactive_anon 3\ninactive_anon 4\nactive_file 6\ninactive_file 7\nunevictable 0\n" +
            "total_cache 4096\ntotal_rss 94208\ntotal_shmem 4096\ntotal_mapped_file 8192\ntotal_dirty 12\ntotal_writeback 0\n" +
            "total_active_anon 4096\ntotal_inactive_anon 98304\ntotal_active_file 10\ntotal_inactive_file 20\ntotal_unevictable 0\n";

        var stats = CgroupStats.Memory(text);

        Assert.Equal(4096UL, stats["cache"]);
        Assert.Equal(94208UL, stats["rss"]);
        Assert.Equal(8192UL, stats["mapped"]);
        Assert.Equal(12UL, stats["dirty"]);
        Assert.Equal(4106UL, stats["active"]);
        Assert.Equal(98324UL, stats["inactive"]);
    }

    [Fact]
    public void Memory_V2_NamesFolded_NoRss()
    {
        var text = "anon 5000\nfile 4096\nshmem 0\nfile_mapped 300\nfile_dirty 1\nfile_writeback 2\nactive_anon 10\ninactive_anon 20\nactive_file 30\ninactive_file 40\nunevictable 0\n";

        var stats = CgroupStats.Memory(text);

        Assert.Equal(4096UL, stats["cache"]);
        Assert.Equal(300UL, stats["mapped"]);
        Assert.Equal(2UL, stats["writeback"]);
        Assert.Equal(40UL, stats["active"]);
        Assert.Equal(60UL, stats["inactive"]);
        Assert.False(stats.ContainsKey("rss"));
    }

    [Fact]
    public void Cpu_V1_PerCpu_V2_AsCpu0InNanoseconds()
    {
        var v1 = CgroupStats.Cpu("cpu user system\n0 0 4000000\n1 7951764 12000000\n", v2: false);
        Assert.Equal([0, 1], v1.Keys);
        Assert.Equal((7951764L, 12000000L), v1[1]);

        var v2 = CgroupStats.Cpu("usage_usec 300\nuser_usec 100\nsystem_usec 200\nnr_periods 0\n", v2: true);
        Assert.Equal((100000L, 200000L), Assert.Single(v2).Value);
    }

    [Fact]
    public void Io_V1AndV2_ByPartitionName_UnknownDeviceIsEmptyName()
    {
        var partitions = CgroupStats.Partitions("major minor  #blocks  name\n\n   7        0   15728640 loop0\n 254        0  268435456 vda\n");
        Assert.Equal("vda", partitions["254:0"]);

        var v1 = CgroupStats.IoV1("254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 1\n254:0 Total 12288\nTotal 12288\n", "254:0 Read 1\n254:0 Write 2\n9:9 Read 5\nTotal 3\n", partitions);
        Assert.Equal(new IoStats(4096, 1, 8192, 2), v1["vda"]);
        Assert.Equal(new IoStats(0, 5, 0, 0), v1[""]);

        var v2 = CgroupStats.IoV2("7:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n", partitions);
        Assert.Equal(new IoStats(10, 1, 20, 2), v2["loop0"]);
    }
}
