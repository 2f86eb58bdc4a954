using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Cluster;
using Berth.Server.Networks;
using Berth.Server.Storage;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/cluster</c> of a server that is not clustered, answered as LXD 5.0.2 answers it (measured): clients ask
/// (<c>lxc cluster list</c>, <c>lxd init</c>, Terraform) and must learn "not clustered", not "not found". Enabling
/// clustering is refused: berthd does not cluster yet.
/// </summary>
internal sealed class ClusterEndpoints(StoragePoolService pools, NetworkService networks)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/cluster", new ApiRoute { Get = GetAsync, Put = PutAsync });

        // LXD 5.0.2 answers the member routes of a server that is not clustered with 500, the group routes with 400.
        var members = ApiRoute.Every(_ => throw new ApiException(500, "Server is not clustered"));
        routes.MapApi("/1.0/cluster/members", members);
        routes.MapApi("/1.0/cluster/members/{name}", members);
        var groups = ApiRoute.Every(_ => throw new ApiException(400, "This server is not clustered"));
        routes.MapApi("/1.0/cluster/groups", groups);
        routes.MapApi("/1.0/cluster/groups/{name}", groups);
    }

    private Task GetAsync(HttpContext context) =>
        ApiResults.SyncAsync(context, new Cluster { MemberConfig = ClusterMemberConfig.Of(pools.List(), networks.List()) }, ApiJsonContext.Wire.Cluster);

    private static async Task PutAsync(HttpContext context)
    {
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ClusterPut).ConfigureAwait(false);
        if (!request.Enabled)
        {
            // Disabling clustering on a server that is not clustered leaves it as it is.
            await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
            return;
        }

        if (request.ServerName.Length == 0)
        {
            throw new ApiException(400, "ServerName is required when enabling clustering");
        }

        throw new ApiException(400, "Clustering is not supported by this berthd yet");
    }
}
