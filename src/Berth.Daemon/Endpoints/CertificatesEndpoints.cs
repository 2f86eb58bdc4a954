using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/certificates</c>: the trust store. Listing works now; adding clients arrives with HTTPS and remotes,
/// until then the trust store is empty and POST says so.
/// </summary>
internal sealed class CertificatesEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/certificates", new ApiRoute { Get = ListAsync, Post = AddAsync });
        routes.MapApi("/1.0/certificates/{fingerprint}", new ApiRoute { Get = GetAsync });
    }

    private static Task ListAsync(HttpContext context)
    {
        context.RequireTrusted();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [], ApiJsonContext.Wire.ListCertificate);
    }

    private static Task AddAsync(HttpContext context) =>
        throw new ApiException(501, "Adding trusted certificates needs HTTPS, which this berthd does not serve yet");

    private static Task GetAsync(HttpContext context) => throw new ApiException(404, "Certificate not found");
}
