using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>
/// A running container's init as berthd last saw it, with its /proc stat and its cgroup files kept open while it
/// runs: a state read is then a few preads, not a few opens (the largest kernel cost of a recursion=2 list).
/// Nothing here pins the container's network namespace (no /proc/&lt;pid&gt;/net file or netlink socket is kept):
/// that would keep its veth alive after a stop.
/// </summary>
internal sealed class KnownInit : IDisposable
{
    private readonly KernelFile _stat;

    private KnownInit(int pid, long start, KernelFile stat, CgroupFiles? cgroups)
    {
        Pid = pid;
        Start = start;
        _stat = stat;
        Cgroups = cgroups;
    }

    public int Pid { get; }

    public long Start { get; }

    public CgroupFiles? Cgroups { get; }

    /// <summary>
    /// Whether that init still runs: the kept stat file follows the process it was opened for, not its pid number,
    /// so a reused pid reads as gone.
    /// </summary>
    public bool Alive => ProcessStart.Of(_stat) == Start;

    /// <summary>What is known of init <paramref name="pid"/>; null when it is gone.</summary>
    public static KnownInit? Of(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        if (KernelFile.Open($"/proc/{pid}/stat", out _) is not { } stat)
        {
            return null;
        }

        var start = ProcessStart.Of(stat);
        if (start <= 0)
        {
            stat.Dispose();
            return null;
        }

        // An init's cgroup stays the one liblxc made for it (a systemd guest's moves are below it).
        return new KnownInit(pid, start, stat, CgroupFiles.Of(pid, keepOpen: true));
    }

    public void Dispose()
    {
        _stat.Dispose();
        Cgroups?.Dispose();
    }
}
