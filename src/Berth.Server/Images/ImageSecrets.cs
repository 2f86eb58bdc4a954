using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Operations;

namespace Berth.Server.Images;

/// <summary>What a push token asked for: the image named by the client, and what to apply once it is received.</summary>
public sealed record ImagePushToken(string Name, string Project, ImagesPost Request);

/// <summary>
/// LXD's image secrets: <c>POST /1.0/images/&lt;fp&gt;/secret</c> starts a token operation holding a random secret;
/// while it runs, an untrusted client passing <c>?secret=</c> may read that (private) image. The download spends it.
/// Push tokens (<c>POST /1.0/images</c> with source mode <c>push</c>) are the other way round: while one runs, an
/// untrusted server presenting its secret (<c>X-LXD-secret</c>) and image name (<c>X-LXD-fingerprint</c>) may upload
/// that image here once. The two kinds are kept apart: a push secret reads nothing and a download secret uploads nothing.
/// </summary>
public sealed class ImageSecrets(OperationManager operations)
{
    private readonly ConcurrentDictionary<string, ImagePushToken> _push = new(StringComparer.Ordinal);

    public OperationEntry Create(string project, string fingerprint)
    {
        var secret = NewSecret();
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
            if (_push.ContainsKey(op.Id) || op.Class != OperationClass.Token || StatusCode.IsFinal(op.StatusCode) || op.Resources is null || op.Metadata is null
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

    /// <summary>
    /// A push token for the image the client named (a fingerprint, or the alias lxc passes for a public image): a
    /// token operation whose metadata holds the secret and, as LXD's, the aliases, expiry, properties and visibility
    /// the upload will be given. It runs until it is redeemed or cancelled.
    /// </summary>
    public OperationEntry CreatePush(string project, ImagesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Source?.Fingerprint ?? "";
        if (name.Length == 0)
        {
            throw new ApiException(400, "A push needs the image's fingerprint");
        }

        var metadata = new Dictionary<string, JsonElement>
        {
            ["aliases"] = JsonSerializer.SerializeToElement(request.Aliases ?? [], ApiJsonContext.Wire.ListImageAlias),
            ["expires_at"] = JsonSerializer.SerializeToElement(request.ExpiresAt ?? DateTimeOffset.UnixEpoch, ApiJsonContext.Wire.DateTimeOffset),
            ["properties"] = JsonSerializer.SerializeToElement(request.Properties ?? [], ApiJsonContext.Wire.DictionaryStringString),
            ["public"] = JsonSerializer.SerializeToElement(request.Public, ApiJsonContext.Wire.Boolean),
            ["secret"] = JsonSerializer.SerializeToElement(NewSecret(), ApiJsonContext.Wire.String),
        };
        var token = new ImagePushToken(name, project, request);
        return operations.Start(
            "Downloading image",
            new() { ["images"] = [ImageService.Url(name)] },
            op => Task.Delay(Timeout.Infinite, op.CancellationToken),
            OperationClass.Token,
            mayCancel: true,
            metadata: metadata,
            project: project,
            registerBeforeRun: entry =>
            {
                _push[entry.Id] = token;
                _ = entry.Completion.ContinueWith(_ => _push.TryRemove(entry.Id, out var _), TaskScheduler.Default);
            });
    }

    /// <summary>
    /// Spends the live push token for <paramref name="name"/> whose secret is <paramref name="secret"/> (cancelling
    /// its operation, as LXD does) and returns what it asked for; null when there is none (wrong, used or cancelled).
    /// </summary>
    public ImagePushToken? RedeemPush(string name, string secret)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(secret);
        if (name.Length == 0 || secret.Length == 0)
        {
            return null;
        }

        foreach (var (id, token) in _push)
        {
            var entry = operations.Get(id);
            if (entry is null || StatusCode.IsFinal(entry.Snapshot().StatusCode) || !string.Equals(token.Name, name, StringComparison.OrdinalIgnoreCase)
                || entry.Snapshot().Metadata?.GetValueOrDefault("secret") is not { ValueKind: JsonValueKind.String } stored
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored.GetString() ?? ""), Encoding.UTF8.GetBytes(secret)))
            {
                continue;
            }

            // Single use: whoever removes it first has it.
            if (_push.TryRemove(id, out _))
            {
                entry.Cancel();
                return token;
            }
        }

        return null;
    }

    /// <summary>
    /// The fingerprint an upload redeeming a push token for <paramref name="name"/> must have: the name when it is a
    /// full fingerprint. A shorter name is what lxc 5.0.2 passes for a public image copied by alias (the alias
    /// itself), which only the source could resolve: null, the upload is taken as the source resolved it.
    /// </summary>
    public static string? ExpectedFingerprint(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length == 64 && name.All(char.IsAsciiHexDigit) ? name.ToLowerInvariant() : null;
    }

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
