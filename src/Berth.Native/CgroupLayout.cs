namespace Berth.Native;

/// <summary>How the host mounts cgroups; decides whether berthd renders <c>lxc.cgroup.*</c> or <c>lxc.cgroup2.*</c>.</summary>
public enum CgroupLayout
{
    /// <summary>No cgroup mounts found.</summary>
    None,

    /// <summary>Only v1 hierarchies.</summary>
    Legacy,

    /// <summary>v1 controllers plus a cgroup2 tree (usually /sys/fs/cgroup/unified). liblxc ignores cgroup2 limits here.</summary>
    Hybrid,

    /// <summary>Only cgroup2 (normally at /sys/fs/cgroup).</summary>
    Unified,
}

public static class CgroupLayoutDetector
{
    /// <summary>Reads /proc/self/mountinfo.</summary>
    public static CgroupLayout Detect()
    {
        return Detect(File.ReadAllLines("/proc/self/mountinfo"));
    }

    /// <summary>Classifies mountinfo lines (fstype is the first field after " - ").</summary>
    public static CgroupLayout Detect(IEnumerable<string> mountInfoLines)
    {
        ArgumentNullException.ThrowIfNull(mountInfoLines);
        bool v1 = false, v2 = false;
        foreach (var line in mountInfoLines)
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0)
            {
                continue;
            }

            var fstype = line[(sep + 3)..].Split(' ', 2)[0];
            if (fstype == "cgroup")
            {
                v1 = true;
            }
            else if (fstype == "cgroup2")
            {
                v2 = true;
            }
        }

        return (v1, v2) switch
        {
            (false, false) => CgroupLayout.None,
            (true, false) => CgroupLayout.Legacy,
            (true, true) => CgroupLayout.Hybrid,
            _ => CgroupLayout.Unified,
        };
    }
}
