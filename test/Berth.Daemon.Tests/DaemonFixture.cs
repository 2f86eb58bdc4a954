using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.Client;

namespace Berth.Daemon.Tests;

/// <summary>A berthd started in-process on a temporary dir of its own, stopped and removed afterwards.</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "berthd-test-" + Guid.NewGuid().ToString("N")[..12]);

    internal BerthDaemon Daemon { get; private set; } = null!;

    public BerthClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await StartAsync();
    }

    internal async Task StartAsync()
    {
        Daemon = await BerthDaemon.StartAsync(new DaemonOptions { Dir = Dir });
        Client = BerthClient.ConnectUnix(Path.Combine(Dir, "unix.socket"));
    }

    internal async Task StopAsync()
    {
        Client.Dispose();
        await Daemon.DisposeAsync();
    }

    /// <summary>A raw request: status, headers and body exactly as the server sent them.</summary>
    public async Task<RawResponse> SendAsync(string method, string path, string? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://unix.socket" + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await Client.Invoker.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new RawResponse((int)response.StatusCode, text, response.Headers, response.Content.Headers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(Dir, recursive: true);
    }
}

public sealed record RawResponse(int Status, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement Metadata => Json.GetProperty("metadata");

    public string? ETag => Headers.ETag?.Tag;
}
