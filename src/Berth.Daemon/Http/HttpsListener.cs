using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Berth.Daemon.Logging;
using Berth.Server.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Berth.Daemon.Http;

/// <summary>
/// The HTTPS endpoint on <c>core.https_address</c>, beside the unix socket. Kestrel reads it from a configuration
/// source that this class rewrites when the key changes, so Kestrel rebinds (or stops listening) without a restart,
/// as LXD does. Clients may present any certificate; whether it is trusted is decided per request.
/// </summary>
internal sealed class HttpsListener : IDisposable
{
    private static readonly CipherSuitesPolicy Ciphers = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    private readonly EndpointSource _source = new();
    private readonly Lazy<X509Certificate2> _certificate;
    private ILogger? _logger;
    private string? _address;

    public HttpsListener(ServerCertificate identity)
    {
        _certificate = new Lazy<X509Certificate2>(identity.LoadWithKey);
        Configuration = new ConfigurationBuilder().Add(_source).Build();
    }

    /// <summary>Kestrel's endpoint configuration (<c>Endpoints:Https</c>), reloaded on change.</summary>
    public IConfigurationRoot Configuration { get; }

    /// <summary>The address served now, or null.</summary>
    public string? Address => _address;

    public void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificateSelector = (_, _) => _certificate.Value;
            https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.AllowAnyClientCertificate(); // self-signed client certificates are checked against the trust store
            https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = Ciphers;
        });
        kestrel.Configure(Configuration, reloadOnChange: true);
    }

    /// <summary>Serves the stored address now and follows later changes of the key.</summary>
    public void Start(Berth.Server.Config.ServerConfigService config, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        _logger = logger;
        config.Changed += stored => Apply(stored.GetValueOrDefault("core.https_address"));
        Apply(config.Stored().GetValueOrDefault("core.https_address"));
    }

    /// <summary>
    /// Serves <paramref name="address"/> (null or empty: stop). An address that cannot be bound is logged and
    /// left unserved, as LXD does, rather than failing the config change or the daemon start.
    /// </summary>
    public void Apply(string? address)
    {
        address = string.IsNullOrWhiteSpace(address) ? null : address.Trim();
        if (address == _address)
        {
            return;
        }

        string? url = null;
        if (address is not null)
        {
            try
            {
                url = ListenAddresses.KestrelUrl(address);
                if (_address is null || ListenAddresses.Parse(_address) != ListenAddresses.Parse(address))
                {
                    Probe(address);
                }
            }
            catch (Exception e) when (e is SocketException or FormatException or ArgumentException or OverflowException)
            {
                if (_logger is not null)
                {
                    HttpsLog.BindFailed(_logger, address, e.Message);
                }

                url = null;
                address = null;
            }
        }

        _address = address;
        _source.Provider?.Set(url);
        if (_logger is not null)
        {
            if (address is null)
            {
                HttpsLog.Stopped(_logger);
            }
            else
            {
                HttpsLog.Listening(_logger, address);
            }
        }
    }

    public void Dispose()
    {
        if (_certificate.IsValueCreated)
        {
            _certificate.Value.Dispose();
        }
    }

    /// <summary>Binds and releases the address, so a taken port is found before Kestrel tries it.</summary>
    private static void Probe(string address)
    {
        var (host, port) = ListenAddresses.Parse(address);
        var ip = ListenAddresses.IsWildcard(host) ? IPAddress.IPv6Any : IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new SocketException((int)SocketError.HostNotFound);
        using var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (ip.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        socket.Bind(new IPEndPoint(ip, port));
    }

    private sealed class EndpointSource : IConfigurationSource
    {
        public EndpointProvider? Provider { get; private set; }

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider = new EndpointProvider();
    }

    private sealed class EndpointProvider : ConfigurationProvider
    {
        public void Set(string? url)
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (url is not null)
            {
                data["Endpoints:Https:Url"] = url;
                data["Endpoints:Https:Protocols"] = "Http1"; // LXD's clients speak HTTP/1.1 (websocket upgrades)
            }

            Data = data;
            OnReload();
        }
    }
}
