using System.Text.Json;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Resources;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/resources</c>: the host's CPUs, memory, disks, NICs, PCI and USB devices, read from /proc and /sys.</summary>
internal static class ResourcesEndpoints
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapApi("/1.0/resources", new ApiRoute
        {
            Get = ctx =>
            {
                ctx.RequireTrusted();
                var bytes = JsonSerializer.SerializeToUtf8Bytes(HostResources.Read(), ResourcesJsonContext.Wire.Resources);
                return ApiResults.SyncRawAsync(ctx, ApiResults.SyncEnvelope(bytes));
            },
        });
}
