using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/warnings</c>: berthd raises none yet, so the list is empty and lookups are 404.</summary>
internal static class WarningsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/warnings", new ApiRoute
        {
            Get = ctx => ctx.Request.Recursion() == 0
                ? ApiResults.SyncAsync(ctx, [], ApiJsonContext.Wire.ListString)
                : ApiResults.SyncAsync(ctx, [], ApiJsonContext.Wire.ListWarning),
        });
        routes.MapApi("/1.0/warnings/{uuid}", new ApiRoute
        {
            Get = _ => throw new ApiException(404, "Warning not found"),
            Put = _ => throw new ApiException(404, "Warning not found"),
            Delete = _ => throw new ApiException(404, "Warning not found"),
        });
    }
}
