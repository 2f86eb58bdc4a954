namespace Berth.Daemon.Tests.Endpoints;

public sealed class MetricsEndpointsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Theory]
    [InlineData("/1.0/metrics")]
    [InlineData("/1.0/metrics?project=default")]
    [InlineData("/1.0/metrics?project=nope")]
    public async Task GetMetrics_NoRunningInstance_IsPlainTextEof(string path)
    {
        var response = await _daemon.SendAsync("GET", path);

        Assert.Equal(200, response.Status);
        Assert.Equal("text/plain", response.ContentHeaders.ContentType?.MediaType);
        Assert.Equal("# EOF\n", response.Body);
    }

    [Fact]
    public async Task PostMetrics_NotImplemented()
    {
        var response = await _daemon.SendAsync("POST", "/1.0/metrics");

        Assert.Equal(501, response.Status);
    }
}
