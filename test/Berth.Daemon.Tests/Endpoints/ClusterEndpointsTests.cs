namespace Berth.Daemon.Tests.Endpoints;

/// <summary>/1.0/cluster of a berthd that is not clustered, as LXD 5.0.2 answers (bodies measured on it).</summary>
public sealed class ClusterEndpointsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Fact]
    public async Task GetCluster_NotClustered_IsLxdsExactBody()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/cluster");

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"","metadata":{"server_name":"","enabled":false,"member_config":[]}}""", response.Body);
    }

    [Fact]
    public async Task PutCluster_Enable_IsRefused_AndNothingChanges()
    {
        var noName = await _daemon.SendAsync("PUT", "/1.0/cluster", """{"enabled":true}""");
        Assert.Equal(400, noName.Status);
        Assert.Equal("ServerName is required when enabling clustering", noName.Json.GetProperty("error").GetString());

        var named = await _daemon.SendAsync("PUT", "/1.0/cluster", """{"enabled":true,"server_name":"n1"}""");
        Assert.Equal(400, named.Status);
        Assert.Equal("Clustering is not supported by this berthd yet", named.Json.GetProperty("error").GetString());

        var garbage = await _daemon.SendAsync("PUT", "/1.0/cluster", "{nope");
        Assert.Equal(400, garbage.Status);

        var after = await _daemon.SendAsync("GET", "/1.0/cluster");
        Assert.False(after.Metadata.GetProperty("enabled").GetBoolean());
        Assert.Equal("", after.Metadata.GetProperty("server_name").GetString());
    }

    [Fact]
    public async Task PutCluster_Disable_WhenNotClustered_IsEmptySuccess()
    {
        var response = await _daemon.SendAsync("PUT", "/1.0/cluster", """{"enabled":false}""");

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"","metadata":{}}""", response.Body);
    }

    [Theory]
    [InlineData("GET", "/1.0/cluster/members", 500, "Server is not clustered")]
    [InlineData("GET", "/1.0/cluster/members?recursion=1", 500, "Server is not clustered")]
    [InlineData("GET", "/1.0/cluster/members/n1", 500, "Server is not clustered")]
    [InlineData("DELETE", "/1.0/cluster/members/n1", 500, "Server is not clustered")]
    [InlineData("GET", "/1.0/cluster/groups", 400, "This server is not clustered")]
    [InlineData("GET", "/1.0/cluster/groups/default", 400, "This server is not clustered")]
    public async Task MembersAndGroups_NotClustered_LxdsErrors(string method, string path, int status, string error)
    {
        var response = await _daemon.SendAsync(method, path);

        Assert.Equal(status, response.Status);
        Assert.Equal(error, response.Json.GetProperty("error").GetString());
        Assert.Equal(status, response.Json.GetProperty("error_code").GetInt32());
    }
}
