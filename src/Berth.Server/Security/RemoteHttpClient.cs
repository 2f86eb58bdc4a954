using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Server.Security;

/// <summary>
/// Outgoing HTTPS from berthd to another LXD-protocol server (migration, image copy): berthd presents its own
/// server certificate as TLS client certificate, the way LXD daemons talk to each other, and accepts only the
/// peer certificate it was told to expect (pinned by fingerprint; there is no CA).
/// </summary>
public static class RemoteHttpClient
{
    /// <summary>
    /// A handler for <paramref name="identity"/> talking to a server whose certificate has
    /// <paramref name="expectedFingerprint"/> (LXD fingerprint: hex SHA-256 of the DER), or any certificate when it is
    /// null (only for endpoints that need no trust, e.g. public images). Dispose the handler with its client.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(ServerCertificate identity, string? expectedFingerprint)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var clientCertificate = identity.LoadWithKey();
        return new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificates = [clientCertificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && (expectedFingerprint is null || string.Equals(
                        CertificateFingerprint.Of(certificate.GetRawCertData()), expectedFingerprint, StringComparison.OrdinalIgnoreCase)),
            },
        };
    }

    /// <summary>An <see cref="HttpClient"/> over <see cref="CreateHandler"/>, base address <c>https://address</c>.</summary>
    public static HttpClient Create(ServerCertificate identity, string address, string? expectedFingerprint, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var baseUrl = address.StartsWith("https://", StringComparison.Ordinal) ? address : "https://" + address;
        return new HttpClient(CreateHandler(identity, expectedFingerprint), disposeHandler: true)
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = timeout ?? TimeSpan.FromHours(1),
        };
    }

    /// <summary>The fingerprint of a PEM certificate, e.g. a peer's <c>environment.certificate</c>.</summary>
    public static string FingerprintOfPem(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return CertificateFingerprint.Of(certificate);
    }
}
