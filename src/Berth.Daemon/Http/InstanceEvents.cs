using System.Text.Json;
using Berth.Api.Json;
using Berth.Server.Events;
using Berth.Server.Instances;

namespace Berth.Daemon.Http;

/// <summary>Lifecycle events for instance sub-resources (files, console, logs), as LXD sends them.</summary>
internal static class InstanceEvents
{
    public static void Publish(HttpContext context, string action, string name, string? key = null, string? value = null)
    {
        var events = context.RequestServices.GetRequiredService<EventHub>();
        var details = key is null ? null : new Dictionary<string, JsonElement> { [key] = JsonSerializer.SerializeToElement(value ?? "", ApiJsonContext.Wire.String) };
        events.PublishLifecycle(action, InstanceService.Url(name), details, context.Requestor(), context.Request.Project());
    }
}
