using System.Text;
using Berth.Api;
using Berth.Daemon.Http;
using Berth.Server.Config;
using Berth.Server.Instances;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/metrics</c>: the running instances' metrics as OpenMetrics text, as LXD 5.0.2 serves them to Prometheus.
/// Reachable by the unix socket, trusted clients and certificates of type "metrics", or by anyone once
/// <c>core.metrics_authentication</c> is false.
/// </summary>
internal sealed class MetricsEndpoints(InstanceService instances, ServerConfigService config)
{
    public void Map(IEndpointRouteBuilder routes) =>
        routes.MapApi("/1.0/metrics", new ApiRoute { Get = GetAsync, Untrusted = true });

    private async Task GetAsync(HttpContext context)
    {
        var project = context.Request.Query["project"].ToString();
        if (!Allowed(context, project.Length == 0 ? "default" : project))
        {
            throw new ApiException(403, "not authorized");
        }

        // Only the default project exists: any other has no instances, so its metrics are empty (as LXD's are).
        var text = project is "" or "default" ? instances.Metrics("default").Render() : "# EOF\n";
        var body = Encoding.UTF8.GetBytes(text);
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private bool Allowed(HttpContext context, string project)
    {
        if (config.Stored().GetValueOrDefault("core.metrics_authentication") is { } authentication && ValueChecks.IsFalse(authentication))
        {
            return true;
        }

        // The unix socket and trusted certificates, or a metrics certificate (trusted for nothing else); a restricted
        // certificate only for its projects.
        var identity = context.Identity();
        if (!identity.Trusted && identity.Entry?.Type != "metrics")
        {
            return false;
        }

        return identity.Entry is not { Restricted: true } entry || entry.Projects.Contains(project);
    }
}
