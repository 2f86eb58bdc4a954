namespace Berth.Server.Instances;

/// <summary>
/// Which cgroup version limits must be written for: liblxc silently ignores <c>lxc.cgroup2.*</c> on a v1 (hybrid)
/// host and <c>lxc.cgroup.*</c> on a pure v2 host, so this is detected, never assumed.
/// </summary>
public enum CgroupVersion
{
    V1,
    V2,
}

public static class CgroupLayout
{
    public static CgroupVersion Detect(string mountinfo = "/proc/self/mountinfo")
    {
        // A pure v2 host mounts cgroup2 at /sys/fs/cgroup itself; a hybrid host mounts v1 controllers under it.
        foreach (var line in File.ReadLines(mountinfo))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (separator < 0 || separator + 1 >= fields.Length)
            {
                continue;
            }

            if (fields[4] == "/sys/fs/cgroup" && fields[separator + 1] == "cgroup2")
            {
                return CgroupVersion.V2;
            }
        }

        return CgroupVersion.V1;
    }
}
