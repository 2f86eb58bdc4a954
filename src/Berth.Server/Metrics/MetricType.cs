namespace Berth.Server.Metrics;

/// <summary>LXD 5.0.2's instance metrics, in the order its <c>/1.0/metrics</c> lists them.</summary>
public enum MetricType
{
    CpuSecondsTotal,
    DiskReadBytesTotal,
    DiskReadsCompletedTotal,
    DiskWrittenBytesTotal,
    DiskWritesCompletedTotal,
    FilesystemAvailBytes,
    FilesystemFreeBytes,
    FilesystemSizeBytes,
    MemoryActiveAnonBytes,
    MemoryActiveFileBytes,
    MemoryActiveBytes,
    MemoryCachedBytes,
    MemoryDirtyBytes,
    MemoryHugePagesFreeBytes,
    MemoryHugePagesTotalBytes,
    MemoryInactiveAnonBytes,
    MemoryInactiveFileBytes,
    MemoryInactiveBytes,
    MemoryMappedBytes,
    MemoryMemAvailableBytes,
    MemoryMemFreeBytes,
    MemoryMemTotalBytes,
    MemoryRssBytes,
    MemoryShmemBytes,
    MemorySwapBytes,
    MemoryUnevictableBytes,
    MemoryWritebackBytes,
    NetworkReceiveBytesTotal,
    NetworkReceiveDropTotal,
    NetworkReceiveErrsTotal,
    NetworkReceivePacketsTotal,
    NetworkTransmitBytesTotal,
    NetworkTransmitDropTotal,
    NetworkTransmitErrsTotal,
    NetworkTransmitPacketsTotal,
    ProcsTotal,
}

/// <summary>Each metric's name and help text exactly as LXD 5.0.2 prints them (Prometheus scrapers key on the names).</summary>
public static class MetricTypes
{
    private static readonly (string Name, string Help)[] Table =
    [
        ("lxd_cpu_seconds_total", "The total number of CPU time used in seconds."),
        ("lxd_disk_read_bytes_total", "The total number of bytes read."),
        ("lxd_disk_reads_completed_total", "The total number of completed reads."),
        ("lxd_disk_written_bytes_total", "The total number of bytes written."),
        ("lxd_disk_writes_completed_total", "The total number of completed writes."),
        ("lxd_filesystem_avail_bytes", "The number of available space in bytes."),
        ("lxd_filesystem_free_bytes", "The number of free space in bytes."),
        ("lxd_filesystem_size_bytes", "The size of the filesystem in bytes."),
        ("lxd_memory_Active_anon_bytes", "The amount of anonymous memory on active LRU list."),
        ("lxd_memory_Active_file_bytes", "The amount of file-backed memory on active LRU list."),
        ("lxd_memory_Active_bytes", "The amount of memory on active LRU list."),
        ("lxd_memory_Cached_bytes", "The amount of cached memory."),
        ("lxd_memory_Dirty_bytes", "The amount of memory waiting to get written back to the disk."),
        ("lxd_memory_HugepagesFree_bytes", "The amount of free memory for hugetlb."),
        ("lxd_memory_HugepagesTotal_bytes", "The amount of used memory for hugetlb."),
        ("lxd_memory_Inactive_anon_bytes", "The amount of file-backed memory on inactive LRU list."),
        ("lxd_memory_Inactive_file_bytes", "The amount of file-backed memory on inactive LRU list."),
        ("lxd_memory_Inactive_bytes", "The amount of memory on inactive LRU list."),
        ("lxd_memory_Mapped_bytes", "The amount of mapped memory."),
        ("lxd_memory_MemAvailable_bytes", "The amount of available memory."),
        ("lxd_memory_MemFree_bytes", "The amount of free memory."),
        ("lxd_memory_MemTotal_bytes", "The amount of used memory."),
        ("lxd_memory_RSS_bytes", "The amount of anonymous and swap cache memory."),
        ("lxd_memory_Shmem_bytes", "The amount of cached filesystem data that is swap-backed."),
        ("lxd_memory_Swap_bytes", "The amount of used swap memory."),
        ("lxd_memory_Unevictable_bytes", "The amount of unevictable memory."),
        ("lxd_memory_Writeback_bytes", "The amount of memory queued for syncing to disk."),
        ("lxd_network_receive_bytes_total", "The amount of received bytes on a given interface."),
        ("lxd_network_receive_drop_total", "The amount of received dropped bytes on a given interface."),
        ("lxd_network_receive_errs_total", "The amount of received errors on a given interface."),
        ("lxd_network_receive_packets_total", "The amount of received packets on a given interface."),
        ("lxd_network_transmit_bytes_total", "The amount of transmitted bytes on a given interface."),
        ("lxd_network_transmit_drop_total", "The amount of transmitted dropped bytes on a given interface."),
        ("lxd_network_transmit_errs_total", "The amount of transmitted errors on a given interface."),
        ("lxd_network_transmit_packets_total", "The amount of transmitted packets on a given interface."),
        ("lxd_procs_total", "The number of running processes."),
    ];

    public static string Name(this MetricType type) => Table[(int)type].Name;

    public static string Help(this MetricType type) => Table[(int)type].Help;

    /// <summary>OpenMetrics kind: a process count can fall, so it is a gauge; other <c>_total</c>s are counters.</summary>
    public static string Kind(this MetricType type) =>
        type != MetricType.ProcsTotal && type.Name().EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge";
}
