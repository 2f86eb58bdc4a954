using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Networks;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/networks</c>: list, create, get, replace, patch, rename, delete, state, leases.</summary>
internal sealed class NetworksEndpoints(NetworkService networks)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/networks", new ApiRoute { Get = ListAsync, Post = CreateAsync });
        routes.MapApi("/1.0/networks/{name}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Post = RenameAsync, Delete = DeleteAsync });
        routes.MapApi("/1.0/networks/{name}/state", new ApiRoute { Get = StateAsync });
        routes.MapApi("/1.0/networks/{name}/leases", new ApiRoute { Get = LeasesAsync });
    }

    private Task ListAsync(HttpContext context)
    {
        context.Request.Project();
        var list = networks.List();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(n => NetworkService.Url(n.Name))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListNetwork);
    }

    private async Task CreateAsync(HttpContext context)
    {
        context.Request.Project();
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.NetworksPost).ConfigureAwait(false);
        await networks.CreateAsync(request, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, NetworkService.Url(request.Name)).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var network = networks.Get(Name(context));
        return ApiResults.SyncAsync(context, network, ApiJsonContext.Wire.Network, NetworkService.ETagOf(network));
    }

    private async Task PutAsync(HttpContext context)
    {
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.NetworkPut).ConfigureAwait(false);
        await networks.UpdateAsync(Name(context), request, merge: false, hasDescription: true, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        var request = patch.Deserialize(ApiJsonContext.Wire.NetworkPut) ?? new NetworkPut();
        await networks.UpdateAsync(Name(context), request, merge: true, patch.TryGetProperty("description", out _), context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task RenameAsync(HttpContext context)
    {
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.NetworkPost).ConfigureAwait(false);
        await networks.RenameAsync(Name(context), request.Name, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, NetworkService.Url(request.Name)).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        await networks.DeleteAsync(Name(context), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task StateAsync(HttpContext context)
    {
        var state = await networks.StateAsync(Name(context), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.SyncAsync(context, state, ApiJsonContext.Wire.NetworkState).ConfigureAwait(false);
    }

    private Task LeasesAsync(HttpContext context) =>
        ApiResults.SyncAsync(context, [.. networks.Leases(Name(context))], ApiJsonContext.Wire.ListNetworkLease);

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
