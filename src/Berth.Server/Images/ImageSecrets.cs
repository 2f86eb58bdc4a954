using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Operations;

namespace Berth.Server.Images;

/// <summary>
/// LXD's image secrets: <c>POST /1.0/images/&lt;fp&gt;/secret</c> starts a token operation holding a random secret;
/// while it runs, an untrusted client passing <c>?secret=</c> may read that (private) image. The download spends it.
/// </summary>
public sealed class ImageSecrets(OperationManager operations)
{
    public OperationEntry Create(string project, string fingerprint)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return operations.Start(
            "Downloading image",
            new() { ["images"] = [ImageService.Url(fingerprint)] },
            op => Task.Delay(Timeout.Infinite, op.CancellationToken),
            OperationClass.Token,
            mayCancel: true,
            metadata: new() { ["secret"] = JsonSerializer.SerializeToElement(secret, ApiJsonContext.Wire.String) },
            project: project);
    }

    /// <summary>True when <paramref name="secret"/> is a live secret for the image; <paramref name="spend"/> cancels its token.</summary>
    public bool IsValid(string fingerprint, string secret, bool spend)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length == 0)
        {
            return false;
        }

        var url = ImageService.Url(fingerprint);
        foreach (var entry in operations.List())
        {
            var op = entry.Snapshot();
            if (op.Class != OperationClass.Token || StatusCode.IsFinal(op.StatusCode) || op.Resources is null || op.Metadata is null
                || !op.Resources.TryGetValue("images", out var resources) || !resources.Contains(url)
                || !op.Metadata.TryGetValue("secret", out var stored) || stored.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored.GetString() ?? ""), Encoding.UTF8.GetBytes(secret)))
            {
                if (spend)
                {
                    entry.Cancel();
                }

                return true;
            }
        }

        return false;
    }
}
