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

    [Fact]
    public async Task PushToken_RedeemedOnceWithItsNameAndSecret_ThenCancelled()
    {
        var secrets = new ImageSecrets(_operations);
        var fingerprint = new string('a', 64);
        var token = secrets.CreatePush("default", new ImagesPost
        {
            Source = new ImagesPostSource { Fingerprint = fingerprint, Mode = "push" },
            Aliases = [new ImageAlias { Name = "x" }],
            Public = true,
        });
        var metadata = token.Snapshot().Metadata!;
        var secret = metadata["secret"].GetString()!;

        Assert.Equal(OperationClass.Token, token.Snapshot().Class);
        Assert.True(metadata["public"].GetBoolean());
        Assert.Equal("x", metadata["aliases"][0].GetProperty("name").GetString());
        Assert.Null(secrets.RedeemPush(fingerprint, "wrong"));
        Assert.Null(secrets.RedeemPush(fingerprint, ""));
        Assert.Null(secrets.RedeemPush(new string('b', 64), secret));
        Assert.Equal(StatusCode.Running, await RunningAsync(token));

        var redeemed = secrets.RedeemPush(fingerprint.ToUpperInvariant(), secret);

        Assert.NotNull(redeemed);
        Assert.True(redeemed.Request.Public);
        Assert.Equal("default", redeemed.Project);
        Assert.Null(secrets.RedeemPush(fingerprint, secret));
        await token.Completion.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(StatusCode.Cancelled, token.Snapshot().StatusCode);
    }

    [Fact]
    public void PushAndDownloadSecrets_DoNotStandInForEachOther()
    {
        var secrets = new ImageSecrets(_operations);
        var fingerprint = new string('c', 64);
        var push = secrets.CreatePush("default", new ImagesPost { Source = new ImagesPostSource { Fingerprint = fingerprint, Mode = "push" } });
        var download = secrets.Create("default", fingerprint);

        Assert.False(secrets.IsValid(fingerprint, push.Snapshot().Metadata!["secret"].GetString()!, spend: false));
        Assert.Null(secrets.RedeemPush(fingerprint, download.Snapshot().Metadata!["secret"].GetString()!));
        Assert.True(secrets.IsValid(fingerprint, download.Snapshot().Metadata!["secret"].GetString()!, spend: false));
    }

    [Fact]
    public void CreatePush_WithoutFingerprint_Throws400()
    {
        var secrets = new ImageSecrets(_operations);

        var e = Assert.Throws<ApiException>(() => secrets.CreatePush("default", new ImagesPost { Source = new ImagesPostSource { Mode = "push" } }));

        Assert.Equal(400, e.Status);
    }

    [Theory]
    [InlineData("bb", null)]
    [InlineData("my-alias", null)]
    [InlineData("3dde7742", null)]
    [InlineData("3DDE77428028B1E32438775EDA5FB8517FFFBCE419E5C86023179A30105D97E5", "3dde77428028b1e32438775eda5fb8517fffbce419e5c86023179a30105d97e5")]
    public void ExpectedFingerprint_OnlyAFullFingerprintIsChecked(string name, string? expected) =>
        Assert.Equal(expected, ImageSecrets.ExpectedFingerprint(name));

    private static async Task<int> RunningAsync(OperationEntry entry)
    {
        for (var i = 0; i < 100 && entry.Snapshot().StatusCode != StatusCode.Running; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return entry.Snapshot().StatusCode;
    }
}
