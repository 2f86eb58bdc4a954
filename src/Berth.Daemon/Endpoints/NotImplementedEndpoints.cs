using Berth.Api;
using Berth.Daemon.Http;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// LXD 5.0.2 API areas berthd does not have yet, though clients know them from its extension list (network_acl,
/// network_dns, network_forward): every method answers 501 saying what is missing, where a bare 404 "not found"
/// would read like a missing object. Nothing is changed.
/// </summary>
internal static class NotImplementedEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        Area(routes, "Network ACLs", "/1.0/network-acls", "/1.0/network-acls/{name}", "/1.0/network-acls/{name}/log");
        Area(routes, "Network zones", "/1.0/network-zones", "/1.0/network-zones/{zone}", "/1.0/network-zones/{zone}/records", "/1.0/network-zones/{zone}/records/{name}");
        Area(routes, "Network forwards", "/1.0/networks/{network}/forwards", "/1.0/networks/{network}/forwards/{address}");
    }

    private static void Area(IEndpointRouteBuilder routes, string what, params string[] paths)
    {
        var route = ApiRoute.Every(_ => throw new ApiException(501, $"{what} are not implemented by berthd yet"));
        foreach (var path in paths)
        {
            routes.MapApi(path, route);
        }
    }
}
