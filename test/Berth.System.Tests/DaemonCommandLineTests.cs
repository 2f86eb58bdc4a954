namespace Berth.System.Tests;

/// <summary>berthd's lxd-style sub-commands: version, waitready, init (auto, preseed, dump), activateifneeded.</summary>
public sealed class DaemonCommandLineTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync() => _berthd = await BerthdProcess.StartAsync();

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task Version_IsSemver()
    {
        var version = await _berthd.BerthdAsync("version");
        Assert.Matches(@"^\d+\.\d+\.\d+\n$", version.Stdout);
    }

    [Fact]
    public async Task InitPreseed_AppliesConfigAndProfilesAndDumpShowsThem()
    {
        const string preseed = """
            config:
              images.auto_update_interval: 15
            profiles:
            - name: default
              description: Tuned default
              config:
                limits.cpu: "2"
            - name: extra
              devices:
                data:
                  type: disk
                  source: /srv
                  path: /srv
            """;

        var init = await _berthd.BerthdStdinAsync(preseed, "init", "--preseed");

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("15", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());
        Assert.Equal("2", (await _berthd.LxcAsync("profile", "get", "default", "limits.cpu")).Stdout.Trim());
        var dump = await _berthd.BerthdAsync("init", "--dump");
        // Quoted as lxd init --dump prints it (Go's yaml.v2 quotes a string that would read back as a number).
        Assert.Contains("images.auto_update_interval: \"15\"", dump.Stdout, StringComparison.Ordinal);
        Assert.Contains("name: extra", dump.Stdout, StringComparison.Ordinal);
        Assert.Contains("description: Tuned default", dump.Stdout, StringComparison.Ordinal);
        // The default project, as lxd init --dump lists it.
        Assert.Contains("projects:\n- config:\n    features.images: \"true\"\n", dump.Stdout, StringComparison.Ordinal);
        Assert.Contains("  description: Default LXD project\n  name: default\n", dump.Stdout, StringComparison.Ordinal);

        // The dump is a preseed: applied again, it changes nothing.
        var again = await _berthd.BerthdStdinAsync(dump.Stdout, "init", "--preseed");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(dump.Stdout, (await _berthd.BerthdAsync("init", "--dump")).Stdout);
    }

    [Fact]
    public async Task InitPreseed_FailingStep_UndoesEarlierSteps()
    {
        const string preseed = """
            config:
              images.auto_update_interval: 3
            profiles:
            - name: good
            - name: bad
              config:
                limits.memory: banana
            """;

        var init = await _berthd.BerthdStdinAsync(preseed, "init", "--preseed");

        Assert.Equal(1, init.ExitCode);
        Assert.Contains("Invalid value: banana", init.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());
        Assert.Equal("default,Default LXD profile,0\n", (await _berthd.LxcAsync("profile", "list", "--format", "csv")).Stdout);
    }

    [Fact]
    public async Task InitPreseed_UnsupportedSection_ChangesNothing()
    {
        var init = await _berthd.BerthdStdinAsync("config:\n  images.auto_update_interval: 3\nstorage_pools:\n- name: default\n  driver: zfs\n", "init", "--preseed");

        Assert.Equal(1, init.ExitCode);
        Assert.Contains("ZFS", init.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());
    }

    [Fact]
    public async Task InitAuto_SetsNetworkAddress()
    {
        var init = await _berthd.BerthdAsync("init", "--auto", "--network-address", "127.0.0.1", "--network-port", "18443");

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("127.0.0.1:18443", (await _berthd.LxcAsync("config", "get", "core.https_address")).Stdout.Trim());
    }

    [Fact]
    public async Task InitInteractive_AnswersBecomeConfig()
    {
        var init = await _berthd.BerthdStdinAsync("no\nyes\n127.0.0.1\n18444\npw\npw\nno\nno\n", "init");

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Contains("Would you like the LXD server to be available over the network?", init.Stdout, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:18444", (await _berthd.LxcAsync("config", "get", "core.https_address")).Stdout.Trim());
        Assert.Equal("true", (await _berthd.LxcAsync("config", "get", "core.trust_password")).Stdout.Trim());
        Assert.Equal("0", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());
    }

    [Fact]
    public async Task ActivateIfNeeded_StartsDaemonOnlyWhenHttpsIsConfigured()
    {
        await _berthd.BerthdAsync("shutdown");
        await _berthd.WaitExitAsync(TimeSpan.FromSeconds(15));
        var idle = await _berthd.BerthdAsync("activateifneeded");
        Assert.Contains("No need to start the daemon now", idle.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_berthd.Socket));

        await _berthd.StartAgainAsync();
        await _berthd.LxcAsync("config", "set", "core.https_address", "127.0.0.1:18445");
        await _berthd.BerthdAsync("shutdown");
        await _berthd.WaitExitAsync(TimeSpan.FromSeconds(15));

        var active = await _berthd.BerthdAsync("activateifneeded", "--debug");
        Assert.Contains("Daemon has core.https_address set, activating...", active.Stderr, StringComparison.Ordinal);
        var ready = await _berthd.BerthdAsync("waitready", "--timeout", "30");
        Assert.Equal(0, ready.ExitCode);
        Assert.Equal(0, (await _berthd.BerthdAsync("shutdown")).ExitCode);
    }

    [Fact]
    public async Task WaitReady_NoDaemon_TimesOut()
    {
        await _berthd.BerthdAsync("shutdown");
        await _berthd.WaitExitAsync(TimeSpan.FromSeconds(15));

        var wait = await _berthd.BerthdAsync("waitready", "--timeout", "1");

        Assert.Equal(1, wait.ExitCode);
        Assert.Contains("Daemon still not running", wait.Stderr, StringComparison.Ordinal);
    }
}
