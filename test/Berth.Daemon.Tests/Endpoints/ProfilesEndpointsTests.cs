namespace Berth.Daemon.Tests.Endpoints;

public sealed class ProfilesEndpointsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Fact]
    public async Task List_HasDefaultAsUrlAndObject()
    {
        var urls = await _daemon.SendAsync("GET", "/1.0/profiles");
        Assert.Equal("""["/1.0/profiles/default"]""", urls.Metadata.GetRawText());

        var full = await _daemon.SendAsync("GET", "/1.0/profiles?recursion=1");
        Assert.Equal("""[{"config":{},"description":"Default LXD profile","devices":{},"name":"default","used_by":[]}]""", full.Metadata.GetRawText());
    }

    [Fact]
    public async Task Create_Is201WithLocationAndGetReturnsIt()
    {
        var created = await _daemon.SendAsync("POST", "/1.0/profiles",
            """{"name":"web","description":"Web","config":{"limits.cpu":"2"},"devices":{"data":{"type":"disk","source":"/srv","path":"/srv"}}}""");

        Assert.Equal(201, created.Status);
        Assert.Equal("/1.0/profiles/web", created.Headers.Location?.ToString());
        var get = await _daemon.SendAsync("GET", "/1.0/profiles/web");
        Assert.Equal("""{"config":{"limits.cpu":"2"},"description":"Web","devices":{"data":{"path":"/srv","source":"/srv","type":"disk"}},"name":"web","used_by":[]}""", get.Metadata.GetRawText());
        Assert.NotNull(get.ETag);
    }

    [Theory]
    [InlineData("""{"name":"bad","config":{"limits.memory":"banana"}}""")]
    [InlineData("""{"name":"bad","devices":{"d":{"path":"/x"}}}""")]
    [InlineData("""{"name":"a/b"}""")]
    [InlineData("""{"name":"bad","config":{"limits.cpu":2}}""")]
    public async Task Create_BadInput_Is400AndCreatesNothing(string body)
    {
        var response = await _daemon.SendAsync("POST", "/1.0/profiles", body);

        Assert.Equal(400, response.Status);
        var list = await _daemon.SendAsync("GET", "/1.0/profiles");
        Assert.Equal("""["/1.0/profiles/default"]""", list.Metadata.GetRawText());
    }

    [Fact]
    public async Task Create_Duplicate_Is409()
    {
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"p"}""");
        var response = await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"p"}""");
        Assert.Equal(409, response.Status);
    }

    [Fact]
    public async Task Put_WithMatchingETag_UpdatesAndStaleETag_Is412()
    {
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"p"}""");
        var etag = (await _daemon.SendAsync("GET", "/1.0/profiles/p")).ETag;

        var ok = await _daemon.SendAsync("PUT", "/1.0/profiles/p", """{"description":"one","config":{},"devices":{}}""", etag);
        var stale = await _daemon.SendAsync("PUT", "/1.0/profiles/p", """{"description":"two","config":{},"devices":{}}""", etag);

        Assert.Equal(200, ok.Status);
        Assert.Equal(412, stale.Status);
        Assert.Equal("one", (await _daemon.SendAsync("GET", "/1.0/profiles/p")).Metadata.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Rename_MovesAndDefaultIsRefused()
    {
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"a"}""");

        var renamed = await _daemon.SendAsync("POST", "/1.0/profiles/a", """{"name":"b"}""");
        var refused = await _daemon.SendAsync("POST", "/1.0/profiles/default", """{"name":"c"}""");

        Assert.Equal(201, renamed.Status);
        Assert.Equal(404, (await _daemon.SendAsync("GET", "/1.0/profiles/a")).Status);
        Assert.Equal(200, (await _daemon.SendAsync("GET", "/1.0/profiles/b")).Status);
        Assert.Equal(403, refused.Status);
    }

    [Fact]
    public async Task Delete_RemovesAndDefaultIsRefused()
    {
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"gone"}""");

        Assert.Equal(200, (await _daemon.SendAsync("DELETE", "/1.0/profiles/gone")).Status);
        Assert.Equal(404, (await _daemon.SendAsync("GET", "/1.0/profiles/gone")).Status);
        Assert.Equal(403, (await _daemon.SendAsync("DELETE", "/1.0/profiles/default")).Status);
    }

    [Fact]
    public async Task List_Filter_SelectsByField()
    {
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"x","description":"pick me"}""");

        var response = await _daemon.SendAsync("GET", "/1.0/profiles?filter=" + Uri.EscapeDataString("description eq 'pick me'"));

        Assert.Equal("""["/1.0/profiles/x"]""", response.Metadata.GetRawText());
    }

    [Fact]
    public async Task Profiles_SurviveRestart()
    {
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"kept","config":{"limits.cpu":"1"}}""");
        await _daemon.StopAsync();
        await _daemon.StartAsync();

        var get = await _daemon.SendAsync("GET", "/1.0/profiles/kept");
        Assert.Equal("1", get.Metadata.GetProperty("config").GetProperty("limits.cpu").GetString());
    }
}
