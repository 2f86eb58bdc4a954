using Berth.Api;
using Berth.Daemon.Http;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/resources</c>: the host's CPUs, memory, disks and NICs.</summary>
internal static class ResourcesEndpoints
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapApi("/1.0/resources", new ApiRoute { Get = _ => throw new ApiException(501, "not implemented") });
}
