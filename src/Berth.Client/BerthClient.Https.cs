using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// Connects to an LXD-protocol server over HTTPS, presenting <paramref name="clientCertificate"/> (with its key)
    /// when given. The server must present exactly <paramref name="serverCertificate"/> when it is given (a pinned,
    /// usually self-signed certificate, as lxc keeps in <c>servercerts/</c>); otherwise the system CAs decide.
    /// </summary>
    public static BerthClient ConnectHttps(Uri url, X509Certificate2? clientCertificate, X509Certificate2? serverCertificate, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
                RemoteCertificateValidationCallback = (_, presented, _, errors) => serverCertificate is null
                    ? errors == SslPolicyErrors.None
                    : presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(serverCertificate.RawData),
            },
        };
        var baseAddress = new Uri(url.GetLeftPart(UriPartial.Authority));
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Berth/" + typeof(BerthClient).Assembly.GetName().Version?.ToString(3));
        return new BerthClient(http, baseAddress);
    }

    /// <summary>
    /// The certificate an HTTPS server presents, whatever it is, and whether the system CAs trust it: what
    /// <c>remote add</c> shows the user before pinning it.
    /// </summary>
    public static async Task<(X509Certificate2 Certificate, bool TrustedByCa)> GetServerCertificateAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var tcp = new System.Net.Sockets.TcpClient();
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync(url.Host.Trim('[', ']'), url.Port, connectTimeout.Token).ConfigureAwait(false);
        var trusted = false;
        X509Certificate2? seen = null;
        using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, errors) =>
        {
            trusted = errors == SslPolicyErrors.None;
            seen = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true;
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.Host.Trim('[', ']') }, connectTimeout.Token).ConfigureAwait(false);
        return (seen ?? throw new AuthenticationException("The server presented no certificate"), trusted);
    }
}
