using Berth.Api;
using Berth.Server.Events;
using Berth.Server.Images;
using Berth.Server.Operations;

namespace Berth.Server.Tests.Images;

public sealed class ImageSecretsTests : IDisposable
{
    private readonly OperationManager _operations = new(new EventHub(TimeProvider.System), TimeProvider.System);

    public void Dispose() => _operations.Dispose();

    [Fact]
    public async Task Secret_ValidForItsImageOnly_SpentByDownload()
    {
        var secrets = new ImageSecrets(_operations);
        var fingerprint = new string('a', 64);
        var token = secrets.Create("default", fingerprint);
        var secret = token.Snapshot().Metadata!["secret"].GetString()!;

        Assert.Equal(OperationClass.Token, token.Snapshot().Class);
        Assert.False(secrets.IsValid(fingerprint, "wrong", spend: false));
        Assert.False(secrets.IsValid(new string('b', 64), secret, spend: false));
        Assert.False(secrets.IsValid(fingerprint, "", spend: false));
        Assert.True(secrets.IsValid(fingerprint, secret, spend: false));
        Assert.True(secrets.IsValid(fingerprint, secret, spend: true));
        await token.Completion.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(secrets.IsValid(fingerprint, secret, spend: true));
        Assert.Equal(StatusCode.Cancelled, token.Snapshot().StatusCode);
    }
}
