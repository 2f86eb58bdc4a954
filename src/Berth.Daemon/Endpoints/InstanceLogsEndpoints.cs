using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Instances;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/instances/{name}/logs[/{file}]</c>: liblxc's lxc.log, the config liblxc ran with (lxc.conf) and the
/// console log; lxc.log and lxc.conf cannot be deleted, as in LXD.
/// </summary>
internal sealed class InstanceLogsEndpoints(InstanceService instances, InstancePaths paths)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root + "/{name}/logs", new ApiRoute { Get = ListAsync });
            routes.MapApi(root + "/{name}/logs/{file}", new ApiRoute { Get = GetAsync, Delete = DeleteAsync });
        }
    }

    private Task ListAsync(HttpContext context)
    {
        var name = Name(context);
        instances.Get(context.Request.Project(), name);
        var prefix = (context.Request.Path.StartsWithSegments("/1.0/containers") ? "/1.0/containers/" : "/1.0/instances/") + Uri.EscapeDataString(name) + "/logs/";
        var names = new List<string>();
        if (Directory.Exists(paths.LxcDir(name)))
        {
            foreach (var file in Directory.EnumerateFiles(paths.LxcDir(name)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
            {
                if (file == "config")
                {
                    names.Add("lxc.conf");
                }
                else if (file.EndsWith(".log", StringComparison.Ordinal) || file.StartsWith("exec_", StringComparison.Ordinal))
                {
                    names.Add(file);
                }
            }
        }

        return ApiResults.SyncAsync(context, [.. names.Order(StringComparer.Ordinal).Select(n => prefix + Uri.EscapeDataString(n))], ApiJsonContext.Wire.ListString);
    }

    private async Task GetAsync(HttpContext context)
    {
        var path = FileOf(context);
        if (!File.Exists(path))
        {
            throw new ApiException(404, "Not found");
        }

        InstanceEvents.Publish(context, "instance-log-retrieved", Name(context), "path", (string)context.Request.RouteValues["file"]!);
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = "inline;filename=" + (string)context.Request.RouteValues["file"]!;
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        context.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private Task DeleteAsync(HttpContext context)
    {
        var file = (string)context.Request.RouteValues["file"]!;
        if (file is "lxc.log" or "lxc.conf")
        {
            throw new ApiException(400, "lxc.log and lxc.conf may not be deleted");
        }

        var path = FileOf(context);
        if (!File.Exists(path))
        {
            throw new ApiException(404, "Not found");
        }

        File.Delete(path);
        InstanceEvents.Publish(context, "instance-log-deleted", Name(context), "path", file);
        return ApiResults.EmptySyncAsync(context);
    }

    /// <summary>The host path of a log file name, which must be one plain name of a log.</summary>
    private string FileOf(HttpContext context)
    {
        var name = Name(context);
        instances.Get(context.Request.Project(), name);
        var file = (string)context.Request.RouteValues["file"]!;
        if (file.Length == 0 || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal) || file.Contains("..", StringComparison.Ordinal) || file.Contains('\0', StringComparison.Ordinal))
        {
            throw new ApiException(400, "Invalid log file name");
        }

        return file == "lxc.conf" ? paths.ConfigFile(name)
            : file.EndsWith(".log", StringComparison.Ordinal) || file.StartsWith("exec_", StringComparison.Ordinal) ? Path.Combine(paths.LxcDir(name), file)
            : throw new ApiException(404, "Not found");
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
