using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Profiles;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/projects</c>: only the default project exists; clients still ask for it.</summary>
internal sealed class ProjectsEndpoints(ProfileService profiles)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/projects", new ApiRoute { Get = ListAsync });
        routes.MapApi("/1.0/projects/{name}", new ApiRoute { Get = GetAsync });
    }

    private Task ListAsync(HttpContext context) =>
        context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, ["/1.0/projects/default"], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [Default()], ApiJsonContext.Wire.ListProject);

    private Task GetAsync(HttpContext context)
    {
        if ((string)context.Request.RouteValues["name"]! != "default")
        {
            throw new ApiException(404, "Project not found");
        }

        return ApiResults.SyncAsync(context, Default(), ApiJsonContext.Wire.Project);
    }

    private Project Default() => new()
    {
        Name = "default",
        Description = "Default LXD project",
        Config = new()
        {
            ["features.images"] = "true",
            ["features.networks"] = "true",
            ["features.profiles"] = "true",
            ["features.storage.volumes"] = "true",
        },
        UsedBy = [.. profiles.Names("default").Select(ProfileService.Url)],
    };
}
