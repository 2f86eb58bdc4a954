using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Server.Security;

/// <summary>
/// Certificate add tokens as LXD 5.0 makes them: each is a running operation of class <c>token</c> whose metadata
/// holds the request, a secret, the server's fingerprint and addresses (and <c>expiresAt</c> when
/// <c>core.remote_token_expiry</c> is set). Presenting the secret consumes the token (the operation is cancelled);
/// deleting the operation revokes it.
/// </summary>
public sealed class CertificateTokens(OperationManager operations, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>Starts the token operation for <paramref name="request"/> (name, type, restricted, projects).</summary>
    public OperationEntry Issue(CertificatesPost request, string serverFingerprint, List<string> addresses, string? expiry)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (addresses.Count == 0)
        {
            throw new ApiException(400, "Can't issue token when server isn't listening on network (core.https_address is not set)");
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var expiresAt = SnapshotExpiry.From(expiry, time.GetUtcNow());
        var saved = request with { Password = "", TrustToken = "", Certificate = "", Projects = request.Projects ?? [] };
        var metadata = new Dictionary<string, JsonElement>
        {
            ["request"] = JsonSerializer.SerializeToElement(saved, ApiJsonContext.Wire.CertificatesPost),
            ["secret"] = JsonSerializer.SerializeToElement(secret, ApiJsonContext.Wire.String),
            ["fingerprint"] = JsonSerializer.SerializeToElement(serverFingerprint, ApiJsonContext.Wire.String),
            ["addresses"] = JsonSerializer.SerializeToElement(addresses, ApiJsonContext.Wire.ListString),
        };
        if (expiresAt is { } at)
        {
            metadata["expiresAt"] = JsonSerializer.SerializeToElement(at, ApiJsonContext.Wire.DateTimeOffset);
        }

        return operations.Start("Executing operation", null, async op =>
        {
            try
            {
                var wait = expiresAt is { } until ? TimeSpan.FromTicks(Math.Max(0, (until - time.GetUtcNow()).Ticks)) : Timeout.InfiniteTimeSpan;
                await Task.Delay(wait, time, op.CancellationToken).ConfigureAwait(false);
                throw new ApiException(403, "Token has expired");
            }
            finally
            {
                _pending.TryRemove(secret, out _);
            }
        }, OperationClass.Token, mayCancel: true, metadata: metadata,
        registerBeforeRun: entry => _pending[secret] = new Pending(entry, saved, expiresAt));
    }

    /// <summary>
    /// Consumes the token whose secret is <paramref name="presented"/> (the raw secret or the whole base64 token);
    /// returns its request, or null when no live token matches. Each token works once.
    /// </summary>
    public CertificatesPost? Consume(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var secret = Decode(presented)?.Secret ?? presented;
        if (!_pending.TryRemove(secret, out var pending))
        {
            return null;
        }

        pending.Operation.Cancel();
        if (pending.ExpiresAt is { } at && time.GetUtcNow() > at)
        {
            throw new ApiException(403, "Token has expired");
        }

        return pending.Request;
    }

    /// <summary>The token string the client is given: base64 of the JSON <see cref="CertificateAddToken"/>.</summary>
    public static string Encode(CertificateAddToken token) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(token, ApiJsonContext.Wire.CertificateAddToken));

    public static CertificateAddToken? Decode(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(token.Trim()));
            var decoded = JsonSerializer.Deserialize(json, ApiJsonContext.Wire.CertificateAddToken);
            return decoded is { Secret.Length: > 0 } ? decoded : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private sealed record Pending(OperationEntry Operation, CertificatesPost Request, DateTimeOffset? ExpiresAt);
}
