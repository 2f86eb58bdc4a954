using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Daemon.Logging;
using Berth.Server.Config;
using Berth.Server.Security;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/certificates</c>: the trust store. Untrusted HTTPS clients may only POST, with the trust password or a
/// token, to have their own TLS certificate trusted.
/// </summary>
internal sealed class CertificatesEndpoints(TrustStore trust, CertificateTokens tokens, ServerConfigService config, HttpsListener https, DaemonContext daemon)
{
    /// <summary>How long a wrong password or token waits before its answer, to slow guessing.</summary>
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(1);

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/certificates", new ApiRoute { Get = ListAsync, Post = AddAsync, Untrusted = true });
        routes.MapApi("/1.0/certificates/{fingerprint}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Delete = DeleteAsync });
    }

    private Task ListAsync(HttpContext context)
    {
        context.RequireTrusted();
        var list = trust.List();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(c => TrustStore.Url(c.Fingerprint))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListCertificate);
    }

    private async Task AddAsync(HttpContext context)
    {
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.CertificatesPost).ConfigureAwait(false);
        request.Projects ??= [];
        if (request.Token && request.Certificate.Length > 0)
        {
            throw new ApiException(400, "Can't use certificate if token is requested");
        }

        if (request.Token && request.Type != "client")
        {
            throw new ApiException(400, "Tokens can only be issued for client certificates");
        }

        var identity = context.Identity();
        if (!identity.Trusted)
        {
            request = await AuthorizeAsync(context, request).ConfigureAwait(false);
        }
        else if (request.Token)
        {
            var operation = tokens.Issue(request, daemon.Certificate.Fingerprint, ListenAddresses.Reachable(https.Address),
                config.Stored().GetValueOrDefault("core.remote_token_expiry"));
            await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
            return;
        }

        byte[] der;
        if (request.Certificate.Length > 0 && identity.Trusted)
        {
            try
            {
                der = Convert.FromBase64String(request.Certificate);
            }
            catch (FormatException)
            {
                throw new ApiException(400, "Invalid certificate material: not base64");
            }
        }
        else if (identity.Certificate is { } presented)
        {
            der = presented.RawData;
        }
        else
        {
            throw new ApiException(400, identity.Protocol == "unix" ? "Can't use TLS data on non-TLS link" : "No client certificate provided");
        }

        var entry = await trust.AddAsync(der, request, context.Connection.RemoteIpAddress?.ToString() ?? "", context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, TrustStore.Url(entry.Fingerprint)).ConfigureAwait(false);
    }

    /// <summary>
    /// An untrusted caller must present a live token (as <c>trust_token</c>, or as <c>password</c> as LXD 5.0's
    /// client sends it) or the trust password; a token's own request then replaces what the caller asked for.
    /// </summary>
    private async Task<CertificatesPost> AuthorizeAsync(HttpContext context, CertificatesPost request)
    {
        var secret = request.TrustToken.Length > 0 ? request.TrustToken : request.Password;
        if (secret.Length == 0 || request.Token)
        {
            throw new ApiException(403, "not authorized");
        }

        var fromToken = tokens.Consume(secret);
        if (fromToken is not null)
        {
            return new CertificatesPost { Name = fromToken.Name, Type = fromToken.Type, Restricted = fromToken.Restricted, Projects = fromToken.Projects };
        }

        var hash = config.Stored().GetValueOrDefault("core.trust_password");
        if (request.TrustToken.Length == 0 && hash is not null && PasswordHash.Verify(secret, hash))
        {
            return request with { Certificate = "" };
        }

        HttpsLog.BadPassword(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("berthd"), context.Connection.RemoteIpAddress?.ToString() ?? "");
        await Task.Delay(FailureDelay, context.RequestAborted).ConfigureAwait(false);
        throw new ApiException(403, request.TrustToken.Length > 0 || CertificateTokens.Decode(secret) is not null
            ? "No matching certificate add operation found"
            : "not authorized");
    }

    private Task GetAsync(HttpContext context)
    {
        var entry = trust.Get(Fingerprint(context));
        return ApiResults.SyncAsync(context, entry, ApiJsonContext.Wire.Certificate, TrustStore.ETagOf(entry));
    }

    private async Task PutAsync(HttpContext context)
    {
        var put = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.CertificatePut).ConfigureAwait(false);
        await trust.UpdateAsync(Fingerprint(context), _ => put, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    /// <summary>Fields present in the body replace the current ones, the rest stay.</summary>
    private async Task PatchAsync(HttpContext context)
    {
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        await trust.UpdateAsync(Fingerprint(context), current =>
        {
            var merged = JsonSerializer.SerializeToNode(current, ApiJsonContext.Wire.Certificate)!.AsObject();
            foreach (var property in patch.EnumerateObject())
            {
                merged[property.Name] = System.Text.Json.Nodes.JsonNode.Parse(property.Value.GetRawText());
            }

            return merged.Deserialize(ApiJsonContext.Wire.CertificatePut) ?? throw new ApiException(400, "Invalid certificate");
        }, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        await trust.DeleteAsync(Fingerprint(context), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private static string Fingerprint(HttpContext context) => (string)context.Request.RouteValues["fingerprint"]!;
}
