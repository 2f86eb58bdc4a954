using Berth.Daemon.Http;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/internal</c>: what <c>berthd waitready</c> and <c>berthd shutdown</c> call (LXD's paths). Unix socket only.
/// </summary>
internal sealed class InternalEndpoints(DaemonContext daemon)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/internal/ready", new ApiRoute { Get = ReadyAsync });
        routes.MapApi("/internal/shutdown", new ApiRoute { Put = ShutdownAsync });
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
