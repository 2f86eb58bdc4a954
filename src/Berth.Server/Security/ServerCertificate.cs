using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Server.Security;

/// <summary>
/// The server's TLS identity, <c>server.crt</c>/<c>server.key</c> in the data dir as LXD keeps them: an ECDSA P-384
/// self-signed certificate made at first start, valid ten years.
/// </summary>
public sealed class ServerCertificate
{
    private ServerCertificate(string pem, string fingerprint, string certPath, string keyPath)
    {
        Pem = pem;
        Fingerprint = fingerprint;
        CertificatePath = certPath;
        KeyPath = keyPath;
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public string Pem { get; }

    /// <summary>Lower-case hex SHA-256 of the DER certificate (LXD's fingerprint).</summary>
    public string Fingerprint { get; }

    public static ServerCertificate LoadOrCreate(string dir, string hostname)
    {
        var certPath = Path.Combine(dir, "server.crt");
        var keyPath = Path.Combine(dir, "server.key");
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            Create(certPath, keyPath, hostname);
        }

        var pem = File.ReadAllText(certPath);
        using var cert = X509Certificate2.CreateFromPem(pem);
        return new ServerCertificate(pem, Convert.ToHexStringLower(SHA256.HashData(cert.RawData)), certPath, keyPath);
    }

    /// <summary>
    /// The certificate with its private key, for TLS (serving HTTPS, or as the client certificate of outgoing
    /// requests to other servers). The caller disposes it.
    /// </summary>
    public X509Certificate2 LoadWithKey()
    {
        using var pemCert = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);

        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pemCert.Export(X509ContentType.Pkcs12), null);
    }

    private static void Create(string certPath, string keyPath, string hostname)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest($"O=Berth, CN=root@{hostname}", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(hostname);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        // Write the key first with tight permissions, then the certificate: a crash leaves no cert without a key.
        var keyTmp = keyPath + ".tmp";
        File.WriteAllText(keyTmp, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyTmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(keyTmp, keyPath, overwrite: true);
        var certTmp = certPath + ".tmp";
        File.WriteAllText(certTmp, cert.ExportCertificatePem());
        File.Move(certTmp, certPath, overwrite: true);
    }
}
