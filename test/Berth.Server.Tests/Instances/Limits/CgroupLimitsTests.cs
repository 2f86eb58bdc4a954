using Berth.Api;
using Berth.Server.Instances;
using Berth.Server.Instances.Limits;

namespace Berth.Server.Tests.Instances.Limits;

public class CgroupLimitsTests
{
    private const long HostMemory = 8L << 30;

    private static IReadOnlyList<(string Key, string Value)> Items(CgroupVersion version, Dictionary<string, string> config, string? cpus = null, bool withDefaults = false) =>
        CgroupLimits.Items(config, version, HostMemory, cpus, "0-3", withDefaults);

    [Fact]
    public void Memory_V1_HardLimitWithSoftTenPercentBelow()
    {
        var items = Items(CgroupVersion.V1, new() { ["limits.memory"] = "128MiB" });

        Assert.Equal([("memory.limit_in_bytes", "134217728"), ("memory.soft_limit_in_bytes", "120795955")], items);
    }

    [Fact]
    public void Memory_V2_Max()
    {
        var items = Items(CgroupVersion.V2, new() { ["limits.memory"] = "128MiB" });

        Assert.Equal([("memory.max", "134217728")], items);
    }

    [Theory]
    [InlineData(CgroupVersion.V1, "memory.soft_limit_in_bytes", "memory.limit_in_bytes")]
    [InlineData(CgroupVersion.V2, "memory.low", "memory.max")]
    public void Memory_Soft_SetsOnlyTheSoftLimit(CgroupVersion version, string softKey, string hardKey)
    {
        var items = Items(version, new() { ["limits.memory"] = "50%", ["limits.memory.enforce"] = "soft" });

        Assert.Contains((softKey, (4L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture)), items);
        Assert.DoesNotContain(items, i => i.Key == hardKey);
    }

    [Theory]
    [InlineData(CgroupVersion.V1, "memory.swappiness", "0")]
    [InlineData(CgroupVersion.V2, "memory.swap.max", "0")]
    public void Swap_False(CgroupVersion version, string key, string value) =>
        Assert.Contains((key, value), Items(version, new() { ["limits.memory.swap"] = "false" }));

    [Fact]
    public void SwapPriority_V1_IsSwappiness() =>
        Assert.Equal([("memory.swappiness", "52")], Items(CgroupVersion.V1, new() { ["limits.memory.swap.priority"] = "2" }));

    [Fact]
    public void Cpu_V1_TimeSliceIsAQuota_PercentIsShares()
    {
        var slice = Items(CgroupVersion.V1, new() { ["limits.cpu.allowance"] = "25ms/100ms" });
        var percent = Items(CgroupVersion.V1, new() { ["limits.cpu.allowance"] = "50%", ["limits.cpu.priority"] = "5" });

        Assert.Equal([("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", "25000")], slice);
        Assert.Equal([("cpu.shares", "519")], percent);
    }

    [Fact]
    public void Cpu_V2_MaxAndWeight()
    {
        var slice = Items(CgroupVersion.V2, new() { ["limits.cpu.allowance"] = "1.5s/1s" });
        var priority = Items(CgroupVersion.V2, new() { ["limits.cpu.priority"] = "0" });

        Assert.Equal([("cpu.max", "1500000 1000000")], slice);
        Assert.Equal([("cpu.weight", "39")], priority);
    }

    [Theory]
    [InlineData(CgroupVersion.V1)]
    [InlineData(CgroupVersion.V2)]
    public void CpusetAndPids(CgroupVersion version)
    {
        var items = Items(version, new() { ["limits.processes"] = "20" }, cpus: "1");

        Assert.Equal([("cpuset.cpus", "1"), ("pids.max", "20")], items);
    }

    [Fact]
    public void WithDefaults_V1_ResetsEverythingUnset()
    {
        var items = Items(CgroupVersion.V1, [], withDefaults: true);

        Assert.Equal(
            [("memory.limit_in_bytes", "-1"), ("memory.soft_limit_in_bytes", "-1"), ("memory.swappiness", "60"), ("cpuset.cpus", "0-3"),
             ("cpu.shares", "1024"), ("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", "-1"), ("pids.max", "max")],
            items);
    }

    [Fact]
    public void WithDefaults_V2_ResetsEverythingUnset()
    {
        var items = Items(CgroupVersion.V2, [], withDefaults: true);

        Assert.Equal(
            [("memory.max", "max"), ("memory.low", "0"), ("memory.swap.max", "max"), ("cpuset.cpus", ""),
             ("cpu.weight", "100"), ("cpu.max", "max 100000"), ("pids.max", "max")],
            items);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("12XB")]
    public void Memory_Invalid_Is400(string value) =>
        Assert.Equal(400, Assert.Throws<ApiException>(() => Items(CgroupVersion.V1, new() { ["limits.memory"] = value })).Status);

    [Theory]
    [InlineData("fast")]
    [InlineData("25ms")]
    [InlineData("0ms/100ms")]
    public void Allowance_Invalid_Is400(string value) =>
        Assert.Equal(400, Assert.Throws<ApiException>(() => CpuAllowance.Parse(value, null)).Status);

    [Theory]
    [InlineData("1", "0")]
    [InlineData("2", "0-1")]
    [InlineData("9", "0-3")]
    [InlineData("0-1,3", "0-1,3")]
    [InlineData("3,1", "1,3")]
    public void ResolveCpus_CountsAndLists(string limit, string expected) =>
        Assert.Equal(expected, CgroupLimits.ResolveCpus(limit, [0, 1, 2, 3], []));

    [Fact]
    public void Pinning_BalancesAcrossLeastUsedCpus()
    {
        var first = CpuPinning.Choose(1, [0, 1], []);
        var second = CpuPinning.Choose(1, [0, 1], [first]);
        var third = CpuPinning.Choose(1, [0, 1], [first, second]);

        Assert.Equal([0], first);
        Assert.Equal([1], second);
        Assert.Equal([0], third);
        Assert.Equal([1, 2], CpuPinning.Choose(2, [0, 1, 2, 3], [[0], [0, 3], [3]]));
    }

    [Theory]
    [InlineData("0-1,3", "0-1,3")]
    [InlineData("3,2,1,0", "0-3")]
    [InlineData("5", "5")]
    public void CpuSet_ParseFormat(string text, string formatted) =>
        Assert.Equal(formatted, CpuSet.Format(CpuSet.Parse(text)!));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("3-1")]
    public void CpuSet_Invalid(string text) => Assert.Null(CpuSet.Parse(text));

    [Fact]
    public void Weight_FromShares_MatchesRuncConversion()
    {
        Assert.Equal(39, CpuAllowance.WeightFromShares(1024));
        Assert.Equal(1, CpuAllowance.WeightFromShares(2));
        Assert.Equal(10000, CpuAllowance.WeightFromShares(262144));
    }
}
