using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary><c>POST /1.0/certificates</c>: trusts a certificate, or (untrusted, with a password or token) the caller's own.</summary>
    public Task CreateCertificateAsync(CertificatesPost request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "/1.0/certificates", request, ApiJsonContext.Wire.CertificatesPost, null, cancellationToken);

    /// <summary><c>GET /1.0/certificates?recursion=1</c>.</summary>
    public async Task<List<Certificate>> GetCertificatesAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync("/1.0/certificates?recursion=1", ApiJsonContext.Wire.ListCertificate, cancellationToken).ConfigureAwait(false)).Value;
}
