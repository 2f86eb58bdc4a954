using System.Net;
using Berth.Api;

namespace Berth.Client.Tests;

public class BerthClientTests
{
    private const string DefaultProfile =
        """{"config":{},"description":"Default LXD profile","devices":{"root":{"path":"/","pool":"default","type":"disk"}},"name":"default","used_by":["/1.0/instances/c1"]}""";

    [Fact]
    public async Task GetProfiles_Recursion1_DecodesProfiles()
    {
        var handler = new FakeHandler().On("GET", "/1.0/profiles?recursion=1", FakeHandler.Sync("[" + DefaultProfile + "]"));
        using var client = new BerthClient(handler);

        var profiles = await client.GetProfilesAsync(TestContext.Current.CancellationToken);

        var profile = Assert.Single(profiles);
        Assert.Equal("default", profile.Name);
        Assert.Equal("disk", profile.Devices["root"]["type"]);
        Assert.Equal(["/1.0/instances/c1"], profile.UsedBy);
    }

    [Fact]
    public async Task GetProfileNames_UnescapesUrls()
    {
        var handler = new FakeHandler().On("GET", "/1.0/profiles", FakeHandler.Sync("""["/1.0/profiles/default","/1.0/profiles/a%20b"]"""));
        using var client = new BerthClient(handler);

        Assert.Equal(["default", "a b"], await client.GetProfileNamesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ErrorEnvelope_ThrowsApiExceptionWithStatus()
    {
        var handler = new FakeHandler().On("GET", "/1.0/profiles/nope", FakeHandler.Error(404, "Profile not found"), HttpStatusCode.NotFound);
        using var client = new BerthClient(handler);

        var e = await Assert.ThrowsAsync<ApiException>(() => client.GetProfileAsync("nope", TestContext.Current.CancellationToken));

        Assert.Equal(404, e.Status);
        Assert.Equal("Profile not found", e.Message);
    }

    [Fact]
    public async Task UpdateProfile_WithETag_SendsIfMatchAndPut()
    {
        var handler = new FakeHandler()
            .On("GET", "/1.0/profiles/default", FakeHandler.Sync(DefaultProfile), etag: "abc")
            .On("PUT", "/1.0/profiles/default", FakeHandler.Sync("{}"));
        using var client = new BerthClient(handler);
        var ct = TestContext.Current.CancellationToken;

        var (profile, etag) = await client.GetProfileAsync("default", ct);
        profile.Config["limits.cpu"] = "2";
        await client.UpdateProfileAsync("default", profile, etag, ct);

        var put = handler.Requests[^1];
        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.Equal("\"abc\"", put.IfMatch);
        Assert.Contains("\"limits.cpu\":\"2\"", put.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_IsAddedToQuery()
    {
        var handler = new FakeHandler().On("GET", "/1.0/profiles?recursion=1&project=p1", FakeHandler.Sync("[]"));
        using var client = new BerthClient(handler) { Project = "p1" };

        Assert.Empty(await client.GetProfilesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GetOperations_FlattensStatuses()
    {
        var op = """{"id":"1","class":"task","description":"x","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","status":"Running","status_code":103,"resources":null,"metadata":null,"may_cancel":false,"err":"","location":"none"}""";
        var handler = new FakeHandler().On("GET", "/1.0/operations?recursion=1", FakeHandler.Sync($$"""{"running":[{{op}}],"success":[{{op.Replace("\"1\"", "\"2\"", StringComparison.Ordinal)}}]}"""));
        using var client = new BerthClient(handler);

        var operations = await client.GetOperationsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["1", "2"], operations.Select(o => o.Id));
    }

    [Fact]
    public async Task WaitOperation_Failed_ThrowsWithOperationError()
    {
        var op = """{"id":"7","class":"task","description":"x","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","status":"Failure","status_code":400,"resources":null,"metadata":null,"may_cancel":false,"err":"boom","location":"none"}""";
        var handler = new FakeHandler().On("GET", "/1.0/operations/7/wait?timeout=30", FakeHandler.Sync(op));
        using var client = new BerthClient(handler);

        var e = await Assert.ThrowsAsync<ApiException>(() => client.WaitOperationAsync("/1.0/operations/7", 30, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public async Task NonEnvelopeBody_ThrowsWithHttpStatus()
    {
        var handler = new FakeHandler().On("GET", "/1.0", "<html>", HttpStatusCode.BadGateway);
        using var client = new BerthClient(handler);

        var e = await Assert.ThrowsAsync<ApiException>(() => client.GetServerAsync(TestContext.Current.CancellationToken));

        Assert.Equal(502, e.Status);
    }

    [Fact]
    public async Task ConnectUnix_MissingSocket_NamesThePath()
    {
        using var client = BerthClient.ConnectUnix("/nonexistent/berth.socket");

        var e = await Assert.ThrowsAsync<BerthConnectionException>(() => client.GetServerAsync(TestContext.Current.CancellationToken));

        Assert.Contains("/nonexistent/berth.socket", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("/1.0/operations/abc", "abc")]
    [InlineData("/1.0/operations/abc?project=p", "abc")]
    public void OperationId_AcceptsIdsAndUrls(string input, string id) => Assert.Equal(id, BerthClient.OperationId(input));

    [Fact]
    public void EventsPath_JoinsTypes()
    {
        Assert.Equal("/1.0/events", BerthClient.EventsPath(null, false));
        Assert.Equal("/1.0/events?type=logging,lifecycle&all-projects=true", BerthClient.EventsPath(["logging", "lifecycle"], true));
    }
}
