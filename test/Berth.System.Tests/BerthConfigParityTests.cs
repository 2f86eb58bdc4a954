using System.Text.RegularExpressions;

namespace Berth.System.Tests;

/// <summary>
/// berth's instance <c>config</c>, <c>config device</c>, <c>profile add|remove|assign</c> and <c>rename</c> against a
/// real berthd: every command run through Debian's lxc on one instance and through berth on a twin must print the
/// same thing, exit the same way and leave the same configuration.
/// </summary>
public sealed partial class BerthConfigParityTests : IAsyncLifetime
{
    private readonly string _prefix = "cp" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        await MustAsync(_berthd.LxcAsync("profile", "create", _prefix + "p"));
        await MustAsync(_berthd.LxcAsync("profile", "device", "add", _prefix + "p", "data", "disk", "source=/tmp", "path=/mnt"));
        foreach (var twin in new[] { "l", "b" })
        {
            await MustAsync(_berthd.LxcAsync("init", "--empty", _prefix + twin, "-p", "default", "-p", _prefix + "p"));
        }
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task ConfigAndDevices_SameAsLxc()
    {
        await SameAsync(
            "config device add INST d1 disk source=/tmp path=/x",
            "config device add INST d1 disk source=/tmp path=/x",
            "config device add INST d2 disk source",
            "config device get INST d1 path",
            "config device get INST nope path",
            "config device get INST data path",
            "config device set INST d1 path=/z readonly=true",
            "config device set INST d1 a=1 b",
            "config device set INST data path=/q",
            "config device unset INST d1 readonly",
            "config device unset INST d1 nope",
            "config device remove INST data",
            "config device override INST data readonly=true",
            "config device override INST data readonly=true",
            "config device override INST nope readonly=true",
            "config device list INST",
            "config device show INST",
            "config device remove INST d1",
            "config device remove INST d1",
            "config set INST limits.cpu=1 boot.autostart=true",
            "config set INST user.x y",
            "config set INST user.a=1 user.b",
            "config set INST limits.memory=lots",
            "config get INST limits.cpu",
            "config get INST nope",
            "config get INST boot.autostart --expanded",
            "config unset INST user.x",
            "config unset INST user.x",
            "config show INST",
            "config show INST --expanded",
            "config show INST/nosnap",
            "config show nope");
    }

    [Fact]
    public async Task ProfilesSnapshotsAndRename_SameAsLxc()
    {
        await SameAsync(
            "profile remove INST PREFIXp",
            "profile remove INST PREFIXp",
            "profile add INST PREFIXp",
            "profile add INST nope",
            "profile assign INST default,PREFIXp",
            "profile assign INST ",
            "config show INST --expanded",
            "profile assign INST default",
            "snapshot INST s1",
            "config show INST/s1",
            "rename INST/s1 INST/s2",
            "rename INST/s2 s3",
            "config show INST/s2");

        // A rename is seen by lxc; the twin's edit through stdin lands as lxc would have it.
        await MustAsync(_berthd.BerthAsync("rename", _prefix + "b", _prefix + "r"));
        Assert.Contains(_prefix + "r\n", (await MustAsync(_berthd.LxcAsync("list", "--format", "csv", "-c", "n"))).Stdout, StringComparison.Ordinal);
        var yaml = (await MustAsync(_berthd.BerthAsync("config", "show", _prefix + "r"))).Stdout.Replace("config:\n", "config:\n  user.edited: \"yes\"\n", StringComparison.Ordinal);
        await MustAsync(_berthd.BerthStdinAsync(yaml, "config", "edit", _prefix + "r"));
        Assert.Equal("yes\n", (await MustAsync(_berthd.LxcAsync("config", "get", _prefix + "r", "user.edited"))).Stdout);
        var bad = await _berthd.BerthStdinAsync(yaml.Replace("\"yes\"", "[", StringComparison.Ordinal), "config", "edit", _prefix + "r");
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("yes\n", (await MustAsync(_berthd.LxcAsync("config", "get", _prefix + "r", "user.edited"))).Stdout);
    }

    /// <summary>Runs each command (INST = the tool's twin) through lxc, then berth, and compares what a user sees.</summary>
    private async Task SameAsync(params string[] commands)
    {
        foreach (var command in commands)
        {
            var lxc = await _berthd.LxcAsync(Args(command, "l"));
            var berth = await _berthd.BerthAsync(Args(command, "b"));
            // lxc lists devices in Go's map order, which changes from run to run: compared as a set of lines.
            var unordered = command.Contains("device list", StringComparison.Ordinal);
            Assert.True(
                (lxc.ExitCode, Normalize(lxc.Stdout, "l", unordered), Normalize(lxc.Stderr, "l")) == (berth.ExitCode, Normalize(berth.Stdout, "b", unordered), Normalize(berth.Stderr, "b")),
                $"{command}\nlxc:   {lxc}\nberth: {berth}");
        }

        var shown = await _berthd.LxcAsync("config", "show", _prefix + "l", "--expanded");
        Assert.Equal(Normalize(shown.Stdout, "l"), Normalize((await _berthd.LxcAsync("config", "show", _prefix + "b", "--expanded")).Stdout, "b"));
    }

    private string[] Args(string command, string twin) =>
        command.Replace("PREFIX", _prefix, StringComparison.Ordinal).Replace("INST", _prefix + twin, StringComparison.Ordinal).Split(' ') is var words && command.EndsWith(' ')
            ? words
            : words.Where(w => w.Length > 0).ToArray();

    private string Normalize(string text, string twin, bool sortLines = false)
    {
        var normalized = VolatileUuid().Replace(CreatedAt().Replace(text.Replace(_prefix + twin, "INST", StringComparison.Ordinal), "created_at: X"), "volatile.uuid: X");
        return sortLines ? string.Join('\n', normalized.Split('\n').Order(StringComparer.Ordinal)) : normalized;
    }

    private static async Task<ProcessResult> MustAsync(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [GeneratedRegex("created_at: .*")]
    private static partial Regex CreatedAt();

    [GeneratedRegex("volatile.uuid: .*")]
    private static partial Regex VolatileUuid();
}
