namespace Berth.Server.Instances;

/// <summary>
/// Where an instance lives, in LXD's layout: liblxc's dir (config, logs) at <c>containers/&lt;name&gt;</c> with a
/// <c>rootfs</c> link to the pool volume <c>storage-pools/&lt;pool&gt;/containers/&lt;name&gt;/rootfs</c>; images
/// unpacked once per pool under <c>storage-pools/&lt;pool&gt;/images/&lt;fp&gt;</c>.
/// </summary>
public sealed class InstancePaths(string dataDir)
{
    public const string DefaultPool = "default";

    public string LxcPath { get; } = Path.Combine(dataDir, "containers");

    /// <summary>berthd's unix socket (what a container's stop hook calls).</summary>
    public string Socket { get; } = Path.Combine(dataDir, "unix.socket");

    public string LxcDir(string name) => Path.Combine(LxcPath, name);

    public string ConfigFile(string name) => Path.Combine(LxcDir(name), "config");

    public string LogFile(string name) => Path.Combine(LxcDir(name), "lxc.log");

    public string ConsoleLog(string name) => Path.Combine(LxcDir(name), "console.log");

    public string Volume(string name, string pool = DefaultPool) => Path.Combine(PoolPath(pool), "containers", name);

    public string Rootfs(string name, string pool = DefaultPool) => Path.Combine(Volume(name, pool), "rootfs");

    public string ImageVolume(string fingerprint, string pool = DefaultPool) => Path.Combine(PoolPath(pool), "images", fingerprint);

    /// <summary>Where a pool is mounted (btrfs) or lives (dir): <c>storage-pools/&lt;pool&gt;</c>.</summary>
    public string PoolPath(string pool) => Path.Combine(dataDir, "storage-pools", pool);

    /// <summary>Loop files of loop-backed pools: <c>disks/&lt;pool&gt;.img</c>, as LXD.</summary>
    public string LoopFile(string pool) => Path.Combine(dataDir, "disks", pool + ".img");

    /// <summary>LXD's layout for snapshots: <c>containers-snapshots/&lt;name&gt;/&lt;snapshot&gt;</c>.</summary>
    public string SnapshotsDir(string name, string pool) => Path.Combine(PoolPath(pool), "containers-snapshots", name);

    /// <summary>
    /// LXD's link <c>snapshots/&lt;name&gt;</c> (<c>&lt;project&gt;_&lt;name&gt;</c> outside the default project) to the
    /// pool's snapshot dir of the instance; it exists while the instance has snapshots.
    /// </summary>
    public string SnapshotsLink(string project, string name) =>
        Path.Combine(dataDir, "snapshots", project == "default" ? name : $"{project}_{name}");

    public string SnapshotVolume(string name, string snapshot, string pool) => Path.Combine(SnapshotsDir(name, pool), snapshot);

    /// <summary>Host-side binds of an instance's host-path disks: <c>devices/&lt;name&gt;</c>, as LXD.</summary>
    public string DevicesDir(string name) => Path.Combine(dataDir, "devices", name);

    /// <summary>A managed network's files (dnsmasq pid, leases, static hosts, nft script): <c>networks/&lt;name&gt;</c>, as LXD.</summary>
    public string NetworkDir(string name) => Path.Combine(dataDir, "networks", name);
}
