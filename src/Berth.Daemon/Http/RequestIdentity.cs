using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Berth.Server.Security;
using Microsoft.AspNetCore.Connections.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// Who is calling, set on every request by <see cref="RequestIdentityMiddleware"/>: the unix socket is trusted
/// (its mode and group are the access control, as in LXD); over HTTPS the client certificate must be in the
/// trust store. Handlers read it with <c>context.Identity()</c> / <c>context.IsTrusted()</c>.
/// </summary>
internal sealed class RequestIdentity
{
    public static readonly RequestIdentity Unix = new() { Trusted = true, Protocol = "unix" };

    public bool Trusted { get; init; }

    /// <summary><c>unix</c> or <c>tls</c>, as LXD's requestor protocol.</summary>
    public required string Protocol { get; init; }

    /// <summary>The TLS client certificate, if the client sent one.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Its fingerprint (hex SHA-256 of the DER), if any.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>The trust store entry when trusted over TLS (name, restricted, projects).</summary>
    public Berth.Api.Certificate? Entry { get; init; }
}

internal static class RequestIdentityMiddleware
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Features.Set(Resolve(context));
        await next(context).ConfigureAwait(false);
    }

    private static RequestIdentity Resolve(HttpContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket.AddressFamily == AddressFamily.Unix)
        {
            return RequestIdentity.Unix;
        }

        var certificate = context.Connection.ClientCertificate;
        if (certificate is null)
        {
            return new RequestIdentity { Protocol = "tls" };
        }

        // The fingerprint is computed once per connection, not per request.
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        var fingerprint = items?.TryGetValue(typeof(RequestIdentity), out var cached) == true ? (string)cached! : CertificateFingerprint.Of(certificate);
        if (items is not null)
        {
            items[typeof(RequestIdentity)] = fingerprint;
        }

        var entry = context.RequestServices.GetRequiredService<TrustStore>().Find(fingerprint);
        return new RequestIdentity
        {
            Trusted = entry is { Type: "client" or "server" },
            Protocol = "tls",
            Certificate = certificate,
            Fingerprint = fingerprint,
            Entry = entry,
        };
    }
}
