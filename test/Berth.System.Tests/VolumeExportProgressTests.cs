using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.System.Tests;

/// <summary>
/// <c>lxc storage volume export</c> on a terminal shows LXD's download progress ("Exporting the backup: N% (speed)"),
/// which lxc can only compute when the export announces its length: berthd keeps the finished tarball, as LXD does.
/// </summary>
public sealed class VolumeExportProgressTests : IAsyncLifetime
{
    // Runs the command on a pty of 200 columns (lxc draws no progress on a zero-width terminal) and prints what it wrote.
    private const string PtyScript = """
        import fcntl, os, pty, struct, sys, termios, time
        pid, fd = pty.fork()
        if pid == 0:
            time.sleep(0.2)
            os.execvp(sys.argv[1], sys.argv[1:])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
        out = b""
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(out.decode(errors="replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """;

    private readonly string _pool = "xp" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Export_OnATerminal_ShowsPercentProgress()
    {
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _pool, "dir")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "volume", "create", _pool, "v")).ExitCode);
        var data = new byte[48 << 20];
        Random.Shared.NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(_berthd.Dir, "storage-pools", _pool, "custom", "default_v", "big"), data, TestContext.Current.CancellationToken);
        var target = Path.Combine(_berthd.ClientConf, "v.tar.gz");

        var export = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", PtyScript, SystemRequirements.Tool("lxc"), "storage", "volume", "export", _pool, "v", target], _berthd.Env, timeout: TimeSpan.FromSeconds(120));

        Assert.True(export.ExitCode == 0, export.ToString());
        var percents = Regex.Matches(export.Stdout, @"Exporting the backup: (\d+)% \(").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        // Without a length lxc prints the byte count as the "percentage" (e.g. 32877250%).
        Assert.True(percents.Count > 1 && percents.Max() is >= 50 and <= 100, export.Stdout);
        Assert.True(new FileInfo(target).Length > data.Length, "the tarball holds the volume");
        var listing = await ProcessRunner.RunAsync("tar", ["-tzf", target]);
        Assert.Contains("backup/volume/big", listing.Stdout, StringComparison.Ordinal);
    }
}
