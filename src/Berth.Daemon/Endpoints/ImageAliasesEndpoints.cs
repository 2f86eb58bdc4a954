using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Images;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/images/aliases</c>: list, create, get, update, rename, delete. Names may contain slashes.</summary>
internal sealed class ImageAliasesEndpoints(ImageAliasService aliases, ImageService images)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        // Untrusted callers see the aliases of public images only; writes need trust.
        routes.MapApi("/1.0/images/aliases", new ApiRoute { Get = ListAsync, Post = CreateAsync, Untrusted = true });
        routes.MapApi("/1.0/images/aliases/{**name}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Post = RenameAsync, Delete = DeleteAsync, Untrusted = true });
    }

    private Task ListAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var visible = context.IsTrusted() ? null : images.List(project, publicOnly: true).Select(i => i.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var list = aliases.List(project).Where(a => visible is null || visible.Contains(a.Target)).ToList();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(a => ImageAliasService.Url(a.Name))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListImageAliasesEntry);
    }

    private async Task CreateAsync(HttpContext context)
    {
        context.RequireTrusted();
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ImageAliasesPost).ConfigureAwait(false);
        await aliases.CreateAsync(context.Request.Project(), request, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, ImageAliasService.Url(request.Name)).ConfigureAwait(false);
    }

    /// <summary>Untrusted clients see only aliases of public images (LXD's rule).</summary>
    private Task GetAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var alias = aliases.Get(project, Name(context));
        if (!context.IsTrusted() && !IsPublic(project, alias.Target))
        {
            throw new ApiException(404, "Image alias not found");
        }

        return ApiResults.SyncAsync(context, alias, ApiJsonContext.Wire.ImageAliasesEntry);
    }

    private bool IsPublic(string project, string fingerprint)
    {
        try
        {
            return images.Get(project, fingerprint).Public;
        }
        catch (Berth.Api.ApiException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private async Task PutAsync(HttpContext context)
    {
        context.RequireTrusted();
        var put = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ImageAliasesEntryPut).ConfigureAwait(false);
        await aliases.ReplaceAsync(context.Request.Project(), Name(context), put, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        context.RequireTrusted();
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        await aliases.PatchAsync(context.Request.Project(), Name(context), patch, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task RenameAsync(HttpContext context)
    {
        context.RequireTrusted();
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ImageAliasesEntryPost).ConfigureAwait(false);
        await aliases.RenameAsync(context.Request.Project(), Name(context), request.Name, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.CreatedAsync(context, ImageAliasService.Url(request.Name)).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        context.RequireTrusted();
        await aliases.DeleteAsync(context.Request.Project(), Name(context), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private static string Name(HttpContext context) => Uri.UnescapeDataString((string)context.Request.RouteValues["name"]!);
}
