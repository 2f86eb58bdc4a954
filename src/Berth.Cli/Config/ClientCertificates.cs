using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Cli.Config;

/// <summary>
/// The CLI's TLS identity and pinned server certificates, laid out as lxc keeps them in its config dir:
/// <c>client.crt</c>/<c>client.key</c> (made on first need: ECDSA P-384, self-signed) and
/// <c>servercerts/&lt;remote&gt;.crt</c>.
/// </summary>
internal sealed class ClientCertificates(string directory)
{
    public string CertificatePath => Path.Combine(directory, "client.crt");

    public string KeyPath => Path.Combine(directory, "client.key");

    public bool Exists => File.Exists(CertificatePath) && File.Exists(KeyPath);

    public string ServerCertificatePath(string remote) => Path.Combine(directory, "servercerts", remote + ".crt");

    /// <summary>Creates <c>client.crt</c>/<c>client.key</c> unless they exist; true when it made them.</summary>
    public bool EnsureClientCertificate()
    {
        if (Exists)
        {
            return false;
        }

        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var user = Environment.UserName;
        var request = new CertificateRequest($"O=linuxcontainers.org, CN={user}@{Environment.MachineName}", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        var keyTemp = KeyPath + ".tmp";
        File.WriteAllText(keyTemp, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyTemp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(keyTemp, KeyPath, overwrite: true);
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem() + "\n");
        return true;
    }

    /// <summary>The client certificate with its key, or null when there is none yet.</summary>
    public X509Certificate2? LoadClientCertificate()
    {
        if (!Exists)
        {
            return null;
        }

        using var pem = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public X509Certificate2? LoadServerCertificate(string remote)
    {
        var path = ServerCertificatePath(remote);
        return File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)) : null;
    }

    public void SaveServerCertificate(string remote, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Directory.CreateDirectory(Path.Combine(directory, "servercerts"));
        File.WriteAllText(ServerCertificatePath(remote), certificate.ExportCertificatePem() + "\n");
    }

    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }
}
