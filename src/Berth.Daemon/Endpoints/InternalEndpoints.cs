using Berth.Daemon.Http;
using Berth.Server.Instances;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/internal</c>: what <c>berthd waitready</c> and <c>berthd shutdown</c> call (LXD's paths), and a container's
/// stop hook. Unix socket only.
/// </summary>
internal sealed class InternalEndpoints(DaemonContext daemon, InstanceService instances)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/internal/ready", new ApiRoute { Get = ReadyAsync });
        routes.MapApi("/internal/shutdown", new ApiRoute { Put = ShutdownAsync });
        routes.MapApi("/internal/instances/{name}/stopped", new ApiRoute { Post = StoppedAsync });
    }

    /// <summary>liblxc's post-stop hook (<c>berth-stophook</c>): answered at once, the cleanup runs after.</summary>
    private Task StoppedAsync(HttpContext context)
    {
        context.RequireTrusted();
        var target = context.Request.Query["target"].ToString() is "reboot" ? "reboot" : "stop";
        instances.OnStopHook(context.Request.Project(), context.Request.RouteValues["name"]!.ToString()!, target);
        return ApiResults.EmptySyncAsync(context);
    }

    private Task ReadyAsync(HttpContext context)
    {
        context.RequireTrusted();
        return daemon.Ready.Task.IsCompleted
            ? ApiResults.EmptySyncAsync(context)
            : ApiResults.ErrorAsync(context, 503, "LXD daemon not ready yet");
    }

    /// <summary>Answers first, then stops the instances and exits: the caller waits for the socket to go away.</summary>
    private async Task ShutdownAsync(HttpContext context)
    {
        context.RequireTrusted();
        daemon.StopInstancesOnShutdown = true;
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);
        await daemon.Shutdown.CancelAsync().ConfigureAwait(false);
    }
}
