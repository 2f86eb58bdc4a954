using Berth.Api;
using Berth.Server.Events;
using Berth.Server.Operations;
using Berth.Server.Security;

namespace Berth.Server.Tests.Security;

public sealed class CertificateTokensTests : IDisposable
{
    private readonly OperationManager _operations = new(new EventHub(TimeProvider.System), TimeProvider.System);
    private readonly CertificateTokens _tokens;

    public CertificateTokensTests() => _tokens = new CertificateTokens(_operations, TimeProvider.System);

    public void Dispose() => _operations.Dispose();

    [Fact]
    public async Task Issue_IsRunningTokenOperation_ConsumedOnceByEncodedToken()
    {
        var op = _tokens.Issue(new CertificatesPost { Name = "t1", Token = true, Projects = ["default"] }, "abcd", ["10.0.0.1:8443"], null);
        await WaitForAsync(() => op.Snapshot().StatusCode == StatusCode.Running);
        var metadata = op.Snapshot().Metadata!;
        Assert.Equal(OperationClass.Token, op.Snapshot().Class);
        Assert.Equal("t1", metadata["request"].GetProperty("name").GetString());
        var token = CertificateTokens.Encode(new CertificateAddToken
        {
            ClientName = "t1",
            Fingerprint = "abcd",
            Addresses = ["10.0.0.1:8443"],
            Secret = metadata["secret"].GetString()!,
        });

        var request = _tokens.Consume(token);

        Assert.Equal(("t1", "client"), (request!.Name, request.Type));
        Assert.Equal(["default"], request.Projects);
        await op.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(StatusCode.Cancelled, op.Snapshot().StatusCode);
        Assert.Null(_tokens.Consume(token));
    }

    [Fact]
    public void Consume_UnknownSecret_IsNull_AndIssueWithoutAddressesFails()
    {
        Assert.Null(_tokens.Consume("not-a-token"));
        var e = Assert.Throws<ApiException>(() => _tokens.Issue(new CertificatesPost { Name = "x", Token = true }, "abcd", [], null));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task Issue_WithExpiry_FailsWhenExpired_AndCannotBeUsed()
    {
        var op = _tokens.Issue(new CertificatesPost { Name = "t2", Token = true }, "abcd", ["10.0.0.1:8443"], "1S");
        var secret = op.Snapshot().Metadata!["secret"].GetString()!;
        Assert.True(op.Snapshot().Metadata!.ContainsKey("expiresAt"));

        await op.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((StatusCode.Failure, "Token has expired"), (op.Snapshot().StatusCode, op.Snapshot().Err));
        Assert.Null(_tokens.Consume(secret));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }
}
