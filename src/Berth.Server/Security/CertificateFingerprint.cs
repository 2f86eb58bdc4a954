using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Server.Security;

/// <summary>LXD's certificate fingerprint: lower-case hex SHA-256 of the DER bytes.</summary>
public static class CertificateFingerprint
{
    public static string Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Of(certificate.RawData);
    }

    public static string Of(ReadOnlySpan<byte> der) => Convert.ToHexStringLower(SHA256.HashData(der));
}
