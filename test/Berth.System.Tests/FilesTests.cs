using System.Security.Cryptography;

namespace Berth.System.Tests;

/// <summary>The files API through Debian's lxc and pylxd on real unprivileged busybox containers.</summary>
public sealed class FilesTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "berth-files-" + Guid.NewGuid().ToString("N")[..10]);

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        SystemRequirements.Require(File.Exists("/usr/bin/lxc-start"), "lxc is not installed");
        Directory.CreateDirectory(_work);
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task PushPull_RoundTripsBytesOwnershipAndMode()
    {
        await LaunchAsync("f1");
        var local = Path.Combine(_work, "data.bin");
        await File.WriteAllBytesAsync(local, RandomNumberGenerator.GetBytes(300_000));

        var push = await _berthd.LxcAsync("file", "push", local, "f1/tmp/data.bin", "--uid", "1000", "--gid", "1000", "--mode", "0640");
        Assert.True(push.ExitCode == 0, push.ToString());
        var pulled = Path.Combine(_work, "pulled.bin");
        Assert.Equal(0, (await _berthd.LxcAsync("file", "pull", "f1/tmp/data.bin", pulled)).ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(pulled));
        Assert.Equal("1000 1000 640\n", (await _berthd.LxcAsync("exec", "f1", "--", "stat", "-c", "%u %g %a", "/tmp/data.bin")).Stdout);

        // On the idmapped root filesystem, with parents made by -p; new entries belong to container root.
        Assert.Equal(0, (await _berthd.LxcAsync("file", "push", "-p", local, "f1/opt/a/b/data.bin")).ExitCode);
        Assert.Equal("0 0\n", (await _berthd.LxcAsync("exec", "f1", "--", "stat", "-c", "%u %g", "/opt/a/b/data.bin")).Stdout);
        Assert.Equal(await Sha256Async(local) + "  /opt/a/b/data.bin\n", (await _berthd.LxcAsync("exec", "f1", "--", "sha256sum", "/opt/a/b/data.bin")).Stdout);

        // Container root may write into another user's private directory, as in LXD.
        await _berthd.LxcAsync("exec", "f1", "--", "sh", "-c", "mkdir -p /home/u && chown 1000:1000 /home/u && chmod 700 /home/u");
        var intoPrivate = await _berthd.LxcAsync("file", "push", local, "f1/home/u/data.bin");
        Assert.True(intoPrivate.ExitCode == 0, intoPrivate.ToString());
        Assert.Equal("0 0\n", (await _berthd.LxcAsync("exec", "f1", "--", "stat", "-c", "%u %g", "/home/u/data.bin")).Stdout);

        var tree = Path.Combine(_work, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        await File.WriteAllTextAsync(Path.Combine(tree, "a.txt"), "alpha\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "sub", "b.txt"), "beta\n");
        Assert.Equal(0, (await _berthd.LxcAsync("file", "push", "-r", tree, "f1/root/")).ExitCode);
        Assert.Equal("alpha\nbeta\n", (await _berthd.LxcAsync("exec", "f1", "--", "cat", "/root/tree/a.txt", "/root/tree/sub/b.txt")).Stdout);
        var back = Path.Combine(_work, "back");
        Directory.CreateDirectory(back);
        Assert.Equal(0, (await _berthd.LxcAsync("file", "pull", "-r", "f1/root/tree", back)).ExitCode);
        Assert.Equal("beta\n", await File.ReadAllTextAsync(Path.Combine(back, "tree", "sub", "b.txt")));

        Assert.Equal(0, (await _berthd.LxcAsync("file", "delete", "f1/tmp/data.bin")).ExitCode);
        var missing = await _berthd.LxcAsync("file", "pull", "f1/tmp/data.bin", Path.Combine(_work, "missing"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SymlinksAndDotDot_ResolveInsideTheContainer()
    {
        await LaunchAsync("f2");
        var marker = "inside-" + Guid.NewGuid().ToString("N")[..8];
        await _berthd.LxcAsync("exec", "f2", "--", "sh", "-c", $"echo {marker} > /etc/berth-marker; ln -s ../../../../etc/passwd /tmp/l; ln -s ../../../../../../ /tmp/up; ln -s /etc/shadow /tmp/abs");
        var containerPasswd = (await _berthd.LxcAsync("exec", "f2", "--", "cat", "/etc/passwd")).Stdout;
        Assert.NotEqual(await File.ReadAllTextAsync("/etc/passwd"), containerPasswd);

        // The symlink itself comes back as a symlink: its target, never the host file it would name on the host.
        var link = await _berthd.LxcAsync("query", "--raw", "/1.0/instances/f2/files?path=/tmp/l");
        Assert.Equal("../../../../etc/passwd", link.Stdout.TrimEnd('\n'));
        Assert.Equal(containerPasswd, (await _berthd.LxcAsync("file", "pull", "f2/tmp/l", "-")).Stdout);

        // A symlink in the middle of a path, and "..", stay inside the container's root.
        Assert.Equal(marker + "\n", (await _berthd.LxcAsync("file", "pull", "f2/tmp/up/etc/berth-marker", "-")).Stdout);
        Assert.Equal("f2\n", (await _berthd.LxcAsync("file", "pull", "f2/tmp/up/etc/hostname", "-")).Stdout);
        Assert.Equal(marker + "\n", (await _berthd.LxcAsync("file", "pull", "f2/tmp/../../../../etc/berth-marker", "-")).Stdout);
        Assert.False(File.Exists("/etc/berth-marker"));

        // Writing through a symlinked directory lands inside too.
        var local = Path.Combine(_work, "w.txt");
        await File.WriteAllTextAsync(local, "written\n");
        Assert.Equal(0, (await _berthd.LxcAsync("file", "push", local, "f2/tmp/up/root/w.txt")).ExitCode);
        Assert.Equal("written\n", (await _berthd.LxcAsync("exec", "f2", "--", "cat", "/root/w.txt")).Stdout);
        Assert.False(File.Exists("/root/w.txt"));

        var missing = await _berthd.LxcAsync("file", "pull", "f2/no/such/file", "-");
        Assert.NotEqual(0, missing.ExitCode);
        SystemRequirements.Require(File.Exists("/usr/bin/curl"), "curl is not installed");
        var badMode = await ProcessRunner.RunAsync("/usr/bin/curl", ["-s", "--unix-socket", _berthd.Socket, "-X", "POST", "-H", "X-LXD-mode: 9z", "--data", "x", "http://b/1.0/instances/f2/files?path=/tmp/x"]);
        Assert.Contains("\"error_code\":400", badMode.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "f2", "--", "test", "-e", "/tmp/x")).ExitCode);
    }

    [Fact]
    public async Task StoppedContainer_AndPylxd()
    {
        await LaunchAsync("f3");
        Assert.Equal(0, (await _berthd.LxcAsync("stop", "f3", "--force")).ExitCode);
        var local = Path.Combine(_work, "s.txt");
        await File.WriteAllTextAsync(local, "while stopped\n");
        Assert.Equal(0, (await _berthd.LxcAsync("file", "push", local, "f3/root/s.txt", "--uid", "1000", "--gid", "1000", "--mode", "0600")).ExitCode);
        Assert.Equal("while stopped\n", (await _berthd.LxcAsync("file", "pull", "f3/root/s.txt", "-")).Stdout);
        Assert.Equal("f3\n", (await _berthd.LxcAsync("file", "pull", "f3/etc/hostname", "-")).Stdout);

        Assert.Equal(0, (await _berthd.LxcAsync("start", "f3")).ExitCode);
        Assert.Equal("1000 1000 600 while stopped\n", (await _berthd.LxcAsync("exec", "f3", "--", "sh", "-c", "echo $(stat -c '%u %g %a' /root/s.txt) $(cat /root/s.txt)")).Stdout);

        var script = """
            import pylxd
            client = pylxd.Client()
            c = client.containers.get('f3')
            c.files.put('/tmp/py.txt', b'from pylxd\n', mode='0600', uid=1000, gid=1000)
            print(c.files.get('/tmp/py.txt').decode().strip())
            print(c.files.get('/etc/hostname').decode().strip())
            c.files.delete('/tmp/py.txt')
            try:
                c.files.get('/tmp/py.txt')
                print('still there')
            except pylxd.exceptions.NotFound:
                print('gone')
            """;
        var result = await _berthd.PythonAsync(script);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from pylxd\nf3\ngone\n", result.Stdout);
    }

    [Fact]
    public async Task BerthCli_PushPullDelete()
    {
        await LaunchAsync("f4");
        var local = Path.Combine(_work, "berth.bin");
        await File.WriteAllBytesAsync(local, RandomNumberGenerator.GetBytes(200_000));

        var push = await _berthd.BerthAsync("file", "push", local, "f4/srv/x/berth.bin", "-p", "--uid", "1000", "--gid", "1000", "--mode", "0640");
        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Equal("1000 1000 640\n", (await _berthd.LxcAsync("exec", "f4", "--", "stat", "-c", "%u %g %a", "/srv/x/berth.bin")).Stdout);
        var pulled = Path.Combine(_work, "berth-pulled.bin");
        Assert.Equal(0, (await _berthd.BerthAsync("file", "pull", "f4/srv/x/berth.bin", pulled)).ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(pulled));
        Assert.Equal("f4\n", (await _berthd.BerthAsync("file", "pull", "f4/etc/hostname", "-")).Stdout);

        var tree = Path.Combine(_work, "btree");
        Directory.CreateDirectory(Path.Combine(tree, "d"));
        await File.WriteAllTextAsync(Path.Combine(tree, "d", "c.txt"), "gamma\n");
        Assert.Equal(0, (await _berthd.BerthAsync("file", "push", "-r", tree, "f4/root/")).ExitCode);
        var back = Path.Combine(_work, "btree-back");
        Assert.Equal(0, (await _berthd.BerthAsync("file", "pull", "-r", "f4/root/btree", back)).ExitCode);
        Assert.Equal("gamma\n", await File.ReadAllTextAsync(Path.Combine(back, "d", "c.txt")));

        Assert.Equal(0, (await _berthd.BerthAsync("file", "delete", "f4/srv/x/berth.bin")).ExitCode);
        var missing = await _berthd.BerthAsync("file", "pull", "f4/srv/x/berth.bin", "-");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    private async Task LaunchAsync(string name)
    {
        var launch = await _berthd.LxcAsync("launch", "busybox", name);
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());
    }

    private static async Task<string> Sha256Async(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
}
