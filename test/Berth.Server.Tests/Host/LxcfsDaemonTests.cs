using Berth.Server.Host;

namespace Berth.Server.Tests.Host;

public sealed class LxcfsDaemonTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "mountinfo-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void IsMounted_FindsTheFuseLxcfsMountOnly()
    {
        File.WriteAllLines(_file,
        [
            "26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "52 26 0:60 / /var/lib/lxcfs rw,nosuid,nodev,relatime shared:30 - fuse.lxcfs lxcfs rw,user_id=0,group_id=0,allow_other",
            "53 26 0:61 / /srv/other rw,relatime - fuse.sshfs host: rw",
        ]);

        Assert.True(LxcfsDaemon.IsMounted("/var/lib/lxcfs", _file));
        Assert.False(LxcfsDaemon.IsMounted("/srv/other", _file));
        Assert.False(LxcfsDaemon.IsMounted("/var/lib/other-lxcfs", _file));
    }

    [Fact]
    public void EnsureRunning_WithoutTheBinary_IsNull()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lxcfs-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var daemon = new LxcfsDaemon(dir, Path.Combine(dir, "mnt"), Path.Combine(dir, "no-lxcfs"));

            Assert.Null(daemon.EnsureRunning());
            Assert.Equal(Path.Combine(dir, "lxcfs.pid"), daemon.PidFile);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
