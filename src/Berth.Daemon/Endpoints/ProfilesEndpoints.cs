using System.Text.Json;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Filtering;
using Berth.Server.Profiles;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/profiles</c>: list, create, get, replace, patch, rename, delete.</summary>
internal sealed class ProfilesEndpoints(ProfileService profiles)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/profiles", new ApiRoute { Get = ListAsync, Post = CreateAsync });
        routes.MapApi("/1.0/profiles/{name}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Post = RenameAsync, Delete = DeleteAsync });
    }

    private Task ListAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var filter = FilterExpression.Parse(context.Request.Query["filter"].ToString());
        var list = profiles.List(project).Where(p => filter.Matches(JsonSerializer.SerializeToElement(p, ApiJsonContext.Wire.Profile))).ToList();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(p => ProfileService.Url(p.Name))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, list, ApiJsonContext.Wire.ListProfile);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ProfilesPost).ConfigureAwait(false);
        await profiles.CreateAsync(project, request, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, ProfileService.Url(request.Name)).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var profile = profiles.Get(context.Request.Project(), Name(context));
        return ApiResults.SyncAsync(context, profile, ApiJsonContext.Wire.Profile, ProfileService.ETagOf(profile));
    }

    private async Task PutAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ProfilePut).ConfigureAwait(false);
        await profiles.ReplaceAsync(project, Name(context), request, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        await profiles.PatchAsync(project, Name(context), patch, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task RenameAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ProfilePost).ConfigureAwait(false);
        await profiles.RenameAsync(project, Name(context), request.Name, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, ProfileService.Url(request.Name)).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        await profiles.DeleteAsync(context.Request.Project(), Name(context), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
