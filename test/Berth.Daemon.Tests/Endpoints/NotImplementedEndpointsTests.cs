namespace Berth.Daemon.Tests.Endpoints;

public sealed class NotImplementedEndpointsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    [Theory]
    [InlineData("GET", "/1.0/network-acls", "Network ACLs")]
    [InlineData("POST", "/1.0/network-acls", "Network ACLs")]
    [InlineData("DELETE", "/1.0/network-acls/a1", "Network ACLs")]
    [InlineData("GET", "/1.0/network-zones?recursion=1", "Network zones")]
    [InlineData("PUT", "/1.0/network-zones/z1/records/r1", "Network zones")]
    [InlineData("GET", "/1.0/networks/br0/forwards", "Network forwards")]
    public async Task MissingArea_501_SaysWhat(string method, string path, string what)
    {
        var response = await _daemon.SendAsync(method, path, method is "GET" or "DELETE" ? null : "{}");

        Assert.Equal(501, response.Status);
        Assert.Equal($"{what} are not implemented by berthd yet", response.Json.GetProperty("error").GetString());
    }
}
