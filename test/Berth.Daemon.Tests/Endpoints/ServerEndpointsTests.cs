using System.Text.Json;

namespace Berth.Daemon.Tests.Endpoints;

public sealed class ServerEndpointsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Fact]
    public async Task GetRoot_IsLxdsExactBody()
    {
        var response = await _daemon.SendAsync("GET", "/");

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"","metadata":["/1.0"]}""", response.Body);
        Assert.Equal("application/json", response.ContentHeaders.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get10_HasEnvelopeServerFieldsAndETag()
    {
        var response = await _daemon.SendAsync("GET", "/1.0");

        Assert.Equal(
            ["type", "status", "status_code", "operation", "error_code", "error", "metadata"],
            response.Json.EnumerateObject().Select(p => p.Name));
        var server = response.Metadata;
        Assert.Equal("trusted", server.GetProperty("auth").GetString());
        Assert.Equal("1.0", server.GetProperty("api_version").GetString());
        Assert.Equal(318, server.GetProperty("api_extensions").GetArrayLength());
        var environment = server.GetProperty("environment");
        Assert.Equal(Environment.ProcessId, environment.GetProperty("server_pid").GetInt32());
        Assert.Matches(@"^\d+\.\d+\.\d+$", environment.GetProperty("server_version").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), environment.GetProperty("kernel_version").GetString());
        Assert.Equal(64, environment.GetProperty("certificate_fingerprint").GetString()!.Length);
        Assert.NotNull(response.ETag);
    }

    [Fact]
    public async Task UnknownEndpoint_Is404Envelope()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/no-such-thing/x.y");

        Assert.Equal(404, response.Status);
        Assert.Equal("""{"type":"error","status":"","status_code":0,"operation":"","error_code":404,"error":"not found","metadata":null}""", response.Body);
    }

    [Fact]
    public async Task WrongMethod_Is501()
    {
        var response = await _daemon.SendAsync("DELETE", "/1.0");

        Assert.Equal(501, response.Status);
        Assert.Equal(501, response.Json.GetProperty("error_code").GetInt32());
    }

    [Fact]
    public async Task Patch_SetsKeyAndGetShowsIt()
    {
        var patch = await _daemon.SendAsync("PATCH", "/1.0", """{"config":{"images.auto_update_interval":"12"}}""");
        Assert.Equal(200, patch.Status);
        Assert.Equal("{}", patch.Metadata.GetRawText());

        var get = await _daemon.SendAsync("GET", "/1.0");
        Assert.Equal("12", get.Metadata.GetProperty("config").GetProperty("images.auto_update_interval").GetString());
    }

    [Theory]
    [InlineData("""{"config":{"no.such.key":"1"}}""", 400)]
    [InlineData("""{"config":{"images.auto_update_interval":5}}""", 400)]
    [InlineData("""{"config":""", 400)]
    [InlineData("""[1,2]""", 400)]
    public async Task Put_BadInput_IsRejectedAndChangesNothing(string body, int status)
    {
        await _daemon.SendAsync("PATCH", "/1.0", """{"config":{"images.auto_update_interval":"7"}}""");

        var response = await _daemon.SendAsync("PUT", "/1.0", body);

        Assert.Equal(status, response.Status);
        Assert.Equal("error", response.Json.GetProperty("type").GetString());
        var get = await _daemon.SendAsync("GET", "/1.0");
        Assert.Equal("""{"images.auto_update_interval":"7"}""", get.Metadata.GetProperty("config").GetRawText());
    }

    [Fact]
    public async Task Put_StaleETag_Is412()
    {
        var etag = (await _daemon.SendAsync("GET", "/1.0")).ETag!;
        await _daemon.SendAsync("PATCH", "/1.0", """{"config":{"images.auto_update_interval":"3"}}""");

        var response = await _daemon.SendAsync("PUT", "/1.0", """{"config":{}}""", etag);

        Assert.Equal(412, response.Status);
        Assert.StartsWith("ETag doesn't match", response.Json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownProject_Is404()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/profiles?project=nope");
        Assert.Equal(404, response.Status);
        Assert.Equal("Project not found", response.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Projects_ListTheDefaultProject()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/projects?recursion=1");
        var project = Assert.Single(response.Metadata.EnumerateArray());
        Assert.Equal("default", project.GetProperty("name").GetString());
        Assert.Contains("/1.0/profiles/default", project.GetProperty("used_by").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task InternalReady_AnswersOnceStarted()
    {
        var response = await _daemon.SendAsync("GET", "/internal/ready");
        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Config_SurvivesRestart()
    {
        await _daemon.SendAsync("PATCH", "/1.0", """{"config":{"images.remote_cache_expiry":"4"}}""");
        await _daemon.StopAsync();
        await _daemon.StartAsync();

        var get = await _daemon.SendAsync("GET", "/1.0");
        Assert.Equal("4", get.Metadata.GetProperty("config").GetProperty("images.remote_cache_expiry").GetString());
    }

    [Fact]
    public async Task Socket_IsMode0660()
    {
        await Task.CompletedTask;
        var mode = File.GetUnixFileMode(Path.Combine(_daemon.Dir, "unix.socket"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [Fact]
    public async Task SecondDaemonOnSameDir_Refuses()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BerthDaemon.StartAsync(new DaemonOptions { Dir = _daemon.Dir }));
        Assert.Contains("already running", e.Message, StringComparison.Ordinal);
        Assert.Equal(200, (await _daemon.SendAsync("GET", "/1.0")).Status);
    }

    [Fact]
    public async Task Resources_DescribeThisHost()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/resources");

        Assert.Equal(200, response.Status);
        var resources = response.Metadata;
        Assert.Equal(Environment.ProcessorCount, resources.GetProperty("cpu").GetProperty("total").GetInt32());
        Assert.True(resources.GetProperty("memory").GetProperty("total").GetInt64() > 0);
        Assert.Equal(["cpu", "memory", "gpu", "network", "storage", "usb", "pci", "system"], resources.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Warnings_AndCertificates_AreEmptyLists()
    {
        foreach (var path in new[] { "/1.0/warnings", "/1.0/warnings?recursion=1", "/1.0/certificates", "/1.0/certificates?recursion=1" })
        {
            var response = await _daemon.SendAsync("GET", path);
            Assert.Equal(JsonValueKind.Array, response.Metadata.ValueKind);
            Assert.Equal(0, response.Metadata.GetArrayLength());
        }
    }
}
