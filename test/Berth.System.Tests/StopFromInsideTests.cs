using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Berth.System.Tests;

/// <summary>
/// Containers that stop or reboot by themselves (poweroff/reboot inside), through Debian's lxc: cleaned up as a stop
/// through the API (LXD's onStop), ephemeral ones deleted, a rebooted one's proxy following it.
/// </summary>
public sealed class StopFromInsideTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<ProcessResult> Lxc(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    [Fact]
    public async Task Poweroff_ReleasesProxyAndDisk_RecordsStopped_StaysStoppedAcrossBerthdRestart()
    {
        var shared = Directory.CreateTempSubdirectory("berth-stopin-");
        try
        {
            var port = TestNetwork.FreePort();
            await Lxc("launch", "busybox", "c1");
            await Lxc("config", "device", "add", "c1", "web", "proxy", $"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:80");
            await Lxc("config", "device", "add", "c1", "data", "disk", "source=" + shared.FullName, "path=/mnt/data");
            var devices = Path.Combine(_berthd.Dir, "devices", "c1");
            Assert.True(Directory.Exists(devices));

            await Lxc("exec", "c1", "--", "poweroff");
            await WaitForAsync(async () => (await Lxc("config", "get", "c1", "volatile.last_state.power")).Stdout == "STOPPED\n");

            Assert.Equal("c1,STOPPED\n", (await Lxc("list", "-c", "ns", "--format", "csv")).Stdout);
            Assert.False(Directory.Exists(devices), "the disk's host-side bind is still there");
            Assert.False(IsListening(port), "the proxy still listens");
            Assert.DoesNotContain(shared.FullName, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);

            await _berthd.KillAsync();
            await _berthd.StartAgainAsync();
            await Task.Delay(2000, TestContext.Current.CancellationToken); // autostart would have started it by now
            Assert.Equal("c1,STOPPED\n", (await Lxc("list", "-c", "ns", "--format", "csv")).Stdout);
        }
        finally
        {
            await _berthd.LxcAsync("delete", "-f", "c1");
            shared.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Ephemeral_PoweredOffInside_IsDeleted()
    {
        await Lxc("launch", "busybox", "e1", "--ephemeral");

        await Lxc("exec", "e1", "--", "poweroff");
        // The record goes first, the container's dir at the end of the delete.
        var dir = Path.Combine(_berthd.Dir, "containers", "e1");
        await WaitForAsync(async () => (await Lxc("list", "-c", "n", "--format", "csv")).Stdout == "" && !Directory.Exists(dir));

        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Reboot_ComesBackRunning_WithItsProxyForwardingIntoTheNewContainer()
    {
        var port = TestNetwork.FreePort();
        await Lxc("launch", "busybox", "r1");
        await Lxc("config", "device", "add", "r1", "echo", "proxy", $"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:7000");
        var before = (await Lxc("query", "/1.0/instances/r1/state")).Stdout;

        await Lxc("exec", "r1", "--", "reboot");
        await WaitForAsync(async () => (await _berthd.LxcAsync("query", "/1.0/instances/r1/state")).Stdout is var now
            && now.Contains("\"status\": \"Running\"", StringComparison.Ordinal) && PidIn(now) is > 0 and var pid && pid != PidIn(before));
        await Lxc("exec", "r1", "--", "sh", "-c", "nc -l -p 7000 -e echo rebooted </dev/null >/dev/null 2>&1 &");

        string answer = "";
        await WaitForAsync(async () => (answer = await ReadLineAsync(port)) == "rebooted");
        Assert.Equal("rebooted", answer);
        Assert.Equal("r1,RUNNING\n", (await Lxc("list", "-c", "ns", "--format", "csv")).Stdout);
        await Lxc("delete", "-f", "r1");
    }

    private static int PidIn(string state)
    {
        var at = state.IndexOf("\"pid\": ", StringComparison.Ordinal);
        return at < 0 ? 0 : int.Parse(state[(at + 7)..].Split(',', '\n')[0], global::System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<string> ReadLineAsync(int port)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            using var reader = new StreamReader(client.GetStream());
            return (await reader.ReadLineAsync(cts.Token))?.Trim() ?? "";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    /// <summary>Polls <paramref name="done"/> every 200 ms for up to 30 s; fails the test if it never holds.</summary>
    private async Task WaitForAsync(Func<Task<bool>> done)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting\n" + _berthd.Log());
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
