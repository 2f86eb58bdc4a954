using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Storage;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/storage-pools</c>: list, create, get, replace, patch, delete, resources.</summary>
internal sealed class StoragePoolsEndpoints(StoragePoolService pools)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/storage-pools", new ApiRoute { Get = ListAsync, Post = CreateAsync });
        routes.MapApi("/1.0/storage-pools/{name}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Delete = DeleteAsync });
        routes.MapApi("/1.0/storage-pools/{name}/resources", new ApiRoute { Get = ResourcesAsync });
    }

    private Task ListAsync(HttpContext context)
    {
        var list = pools.List();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(p => StoragePoolService.Url(p.Name))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListStoragePool);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StoragePoolsPost).ConfigureAwait(false);
        await pools.CreateAsync(request, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, StoragePoolService.Url(request.Name)).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var pool = pools.Get(Name(context));
        return ApiResults.SyncAsync(context, pool, ApiJsonContext.Wire.StoragePool, StoragePoolService.ETagOf(pool));
    }

    private async Task PutAsync(HttpContext context)
    {
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StoragePoolPut).ConfigureAwait(false);
        await pools.UpdateAsync(Name(context), request, merge: false, hasDescription: true, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        var request = patch.Deserialize(ApiJsonContext.Wire.StoragePoolPut) ?? new StoragePoolPut();
        await pools.UpdateAsync(Name(context), request, merge: true, patch.TryGetProperty("description", out _), context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        await pools.DeleteAsync(Name(context), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task ResourcesAsync(HttpContext context)
    {
        var resources = await pools.ResourcesAsync(Name(context), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.SyncAsync(context, resources, ApiJsonContext.Wire.StoragePoolResources).ConfigureAwait(false);
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
