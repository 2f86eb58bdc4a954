using Berth.Api;
using Berth.Api.Json;
using Berth.Client;

namespace Berth.System.Tests;

/// <summary>A committed write survives SIGKILL at any moment and a clean restart.</summary>
public sealed class DurabilityTests : IAsyncLifetime
{
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync() => _berthd = await BerthdProcess.StartAsync();

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    [Fact]
    public async Task KillDashNine_DuringWrites_LosesNoAcknowledgedWrite()
    {
        var acknowledged = new List<string>();
        using var client = BerthClient.ConnectUnix(_berthd.Socket);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 5000; i++)
            {
                var name = "p" + i;
                try
                {
                    await client.SendJsonAsync(HttpMethod.Post, "/1.0/profiles", new ProfilesPost { Name = name, Config = new() { ["user.n"] = i.ToString() } }, ApiJsonContext.Wire.ProfilesPost);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or ApiException or TaskCanceledException)
                {
                    return;
                }

                lock (acknowledged)
                {
                    acknowledged.Add(name);
                }
            }
        }, TestContext.Current.CancellationToken);

        await Task.Delay(700, TestContext.Current.CancellationToken);
        await _berthd.KillAsync();
        await writer;
        Assert.True(acknowledged.Count > 10, $"only {acknowledged.Count} writes before the kill");

        await _berthd.StartAgainAsync();
        using var after = BerthClient.ConnectUnix(_berthd.Socket);
        var (names, _) = await after.GetAsync("/1.0/profiles", ApiJsonContext.Wire.ListString, TestContext.Current.CancellationToken);
        var present = names.Select(u => u["/1.0/profiles/".Length..]).ToHashSet();
        var lost = acknowledged.Where(n => !present.Contains(n)).ToList();
        Assert.True(lost.Count == 0, "lost after kill -9: " + string.Join(", ", lost));
        var (last, _) = await after.GetAsync("/1.0/profiles/" + acknowledged[^1], ApiJsonContext.Wire.Profile, TestContext.Current.CancellationToken);
        Assert.Equal((acknowledged.Count - 1).ToString(), last.Config["user.n"]);
    }

    [Fact]
    public async Task KillDashNine_ConfigAndProfilesSurvive()
    {
        await _berthd.LxcAsync("config", "set", "images.auto_update_interval", "9");
        await _berthd.LxcAsync("profile", "create", "survivor");
        await _berthd.LxcAsync("profile", "set", "survivor", "limits.cpu", "3");

        await _berthd.KillAsync();
        await _berthd.StartAgainAsync();

        Assert.Equal("9", (await _berthd.LxcAsync("config", "get", "images.auto_update_interval")).Stdout.Trim());
        Assert.Equal("3", (await _berthd.LxcAsync("profile", "get", "survivor", "limits.cpu")).Stdout.Trim());
    }

    [Fact]
    public async Task Shutdown_StopsDaemonAndRemovesSocket_RestartKeepsState()
    {
        await _berthd.LxcAsync("profile", "create", "kept");

        var shutdown = await _berthd.BerthdAsync("shutdown");

        Assert.True(shutdown.ExitCode == 0, shutdown.ToString());
        Assert.True(await _berthd.WaitExitAsync(TimeSpan.FromSeconds(15)));
        Assert.False(File.Exists(_berthd.Socket));
        await _berthd.StartAgainAsync();
        var show = await _berthd.LxcAsync("profile", "show", "kept");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("name: kept", show.Stdout, StringComparison.Ordinal);
    }
}
