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
/// The HTTPS endpoints on <c>core.https_address</c> and <c>core.metrics_address</c>, beside the unix socket. Kestrel
/// reads them from a configuration source that this class rewrites when a key changes, so Kestrel rebinds (or stops
/// listening) without a restart, as LXD does. Clients may present any certificate; whether it is trusted is decided
/// per request. The metrics endpoint serves only what LXD's metrics listener serves (see <see cref="IsMetricsOnly"/>).
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

    public const string HttpsKey = "core.https_address";
    public const string MetricsKey = "core.metrics_address";

    // LXD's metrics listener answers these paths only; everything else there is 404.
    private static readonly string[] MetricsPaths = ["/", "/1.0", "/1.0/metrics"];

    private readonly EndpointSource _source = new();
    private readonly Lazy<X509Certificate2> _certificate;
    private readonly Dictionary<string, string?> _addresses = new(StringComparer.Ordinal) { [HttpsKey] = null, [MetricsKey] = null };
    private readonly Lock _gate = new();
    private ILogger? _logger;

    // The metrics address's port (0: none), kept beside it: every request is checked against it.
    private int _metricsPort;

    public HttpsListener(ServerCertificate identity)
    {
        _certificate = new Lazy<X509Certificate2>(identity.LoadWithKey);
        Configuration = new ConfigurationBuilder().Add(_source).Build();
    }

    /// <summary>Kestrel's endpoint configuration (<c>Endpoints:Https</c>), reloaded on change.</summary>
    public IConfigurationRoot Configuration { get; }

    /// <summary>The <c>core.https_address</c> served now, or null.</summary>
    public string? Address => _addresses[HttpsKey];

    /// <summary>The <c>core.metrics_address</c> served now, or null.</summary>
    public string? MetricsAddress => _addresses[MetricsKey];

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
        config.Changed += ApplyAll;
        ApplyAll(config.Stored());
    }

    /// <summary>
    /// True when <paramref name="context"/> came in on the metrics endpoint (and not on the main one) for a path LXD's
    /// metrics listener does not serve.
    /// </summary>
    public bool IsMetricsOnly(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_metricsPort == 0 || context.Connection.LocalPort != _metricsPort)
        {
            return false;
        }

        var path = context.Request.Path.Value?.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/";
        return !MetricsPaths.Contains(path, StringComparer.Ordinal);
    }

    /// <summary>
    /// Serves each key's address in <paramref name="config"/> (absent or empty: stop). An address that cannot be bound
    /// is logged and left unserved, as LXD does, rather than failing the config change or the daemon start.
    /// </summary>
    public void ApplyAll(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_gate)
        {
            Apply(HttpsKey, config.GetValueOrDefault(HttpsKey));
            Apply(MetricsKey, config.GetValueOrDefault(MetricsKey));
        }
    }

    private void Apply(string key, string? address)
    {
        address = string.IsNullOrWhiteSpace(address) ? null : address.Trim();
        var current = _addresses[key];
        if (address == current)
        {
            return;
        }

        if (address is not null)
        {
            try
            {
                if (current is null || ListenAddresses.Parse(current) != ListenAddresses.Parse(address))
                {
                    Probe(address);
                }
            }
            catch (Exception e) when (e is SocketException or FormatException or ArgumentException or OverflowException)
            {
                if (_logger is not null)
                {
                    HttpsLog.BindFailed(_logger, key, address, e.Message);
                }

                address = null;
            }
        }

        _addresses[key] = address;
        _metricsPort = MetricsAddress is { } metrics ? ListenAddresses.Parse(metrics).Port : 0;
        _source.Provider?.Set(_addresses);
        if (_logger is not null)
        {
            if (address is null)
            {
                HttpsLog.Stopped(_logger, key);
            }
            else
            {
                HttpsLog.Listening(_logger, key, address);
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

    /// <summary>
    /// Refuses (400) a new <c>core.https_address</c> or <c>core.metrics_address</c> in <paramref name="config"/> that
    /// cannot be listened on, before the config changes, as LXD does; the addresses served now and empty ones are
    /// always accepted. The two keys may not name one port: a request's port tells which listener it came in on.
    /// </summary>
    public void CheckBindable(IReadOnlyDictionary<string, string>? config)
    {
        var https = config?.ContainsKey(HttpsKey) == true ? config[HttpsKey] : Address;
        var metrics = config?.ContainsKey(MetricsKey) == true ? config[MetricsKey] : MetricsAddress;
        if (!string.IsNullOrWhiteSpace(https) && !string.IsNullOrWhiteSpace(metrics) && SamePort(https, metrics))
        {
            throw new Berth.Api.ApiException(400, $"Cannot listen on metrics socket \"{metrics}\": core.https_address uses the same port");
        }

        CheckBindable(HttpsKey, "https", config?.GetValueOrDefault(HttpsKey));
        CheckBindable(MetricsKey, "metrics", config?.GetValueOrDefault(MetricsKey));
    }

    private static bool SamePort(string a, string b)
    {
        try
        {
            return ListenAddresses.Parse(a.Trim()).Port == ListenAddresses.Parse(b.Trim()).Port;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false; // a malformed address is refused by its own check
        }
    }

    private void CheckBindable(string key, string what, string? address)
    {
        var current = _addresses[key];
        if (string.IsNullOrWhiteSpace(address) || address.Trim() == current)
        {
            return;
        }

        try
        {
            if (current is null || ListenAddresses.Parse(current) != ListenAddresses.Parse(address))
            {
                Probe(address.Trim());
            }
        }
        catch (Exception e) when (e is SocketException or FormatException or ArgumentException or OverflowException)
        {
            throw new Berth.Api.ApiException(400, $"Cannot listen on {what} socket \"{address}\": {e.Message}");
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
        /// <summary>One Kestrel endpoint per served address (named Https and Metrics after their keys).</summary>
        public void Set(IReadOnlyDictionary<string, string?> addresses)
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, address) in addresses)
            {
                if (address is not null)
                {
                    var name = key == HttpsKey ? "Https" : "Metrics";
                    data[$"Endpoints:{name}:Url"] = ListenAddresses.KestrelUrl(address);
                    data[$"Endpoints:{name}:Protocols"] = "Http1"; // LXD's clients speak HTTP/1.1 (websocket upgrades)
                }
            }

            Data = data;
            OnReload();
        }
    }
}
