using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Exec;
using Berth.Daemon.Http;
using Berth.Native;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/instances/{name}/console</c>: GET the console log (text/plain), DELETE clears it, POST attaches to the
/// console through websockets "0" and "control".
/// </summary>
internal sealed class InstanceConsoleEndpoints(InstanceService instances, InstancePaths paths, OperationManager operations, WebsocketOperations websockets)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root + "/{name}/console", new ApiRoute { Get = GetAsync, Post = AttachAsync, Delete = ClearAsync });
        }
    }

    private async Task GetAsync(HttpContext context)
    {
        var name = Name(context);
        instances.Get(context.Request.Project(), name);
        context.Response.ContentType = "text/plain";
        InstanceEvents.Publish(context, "instance-console-retrieved", name);
        var log = paths.ConsoleLog(name);
        if (!File.Exists(log))
        {
            context.Response.ContentLength = 0;
            return;
        }

        await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task ClearAsync(HttpContext context)
    {
        var name = Name(context);
        var instance = instances.Get(context.Request.Project(), name);
        if (instance.StatusCode is StatusCode.Running or StatusCode.Frozen)
        {
            ContainerConsole.ClearBuffer(paths.LxcPath, name);
        }

        var log = paths.ConsoleLog(name);
        if (File.Exists(log))
        {
            // Truncate in place: the container's monitor keeps the file open for appending.
            await using var stream = new FileStream(log, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }

        InstanceEvents.Publish(context, "instance-console-reset", name);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task AttachAsync(HttpContext context)
    {
        var name = Name(context);
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceConsolePost).ConfigureAwait(false);
        if (request.Type.Length > 0 && request.Type != "console")
        {
            throw new ApiException(400, request.Type == "vga" ? "VGA consoles are only available on virtual machines" : $"Unknown console type \"{request.Type}\"");
        }

        var instance = instances.Get(context.Request.Project(), name);
        if (instance.StatusCode != StatusCode.Running)
        {
            throw new ApiException(400, "Instance is not running");
        }

        var secrets = new[] { "0", "control" }.ToDictionary(s => s, _ => WebsocketOperations.NewSecret(), StringComparer.Ordinal);
        var metadata = new Dictionary<string, JsonElement>
        {
            ["fds"] = JsonSerializer.SerializeToElement(secrets, ApiJsonContext.Wire.DictionaryStringString),
        };
        WebsocketSlots? slots = null;
        var operation = operations.Start("Showing console", InstanceService.Resources(name), async op =>
        {
            try
            {
                await new ConsoleSession(paths.LxcPath, name, request, slots!).RunAsync(op).ConfigureAwait(false);
            }
            finally
            {
                websockets.Unregister(op.Id);
            }
        }, OperationClass.Websocket, metadata: metadata, registerBeforeRun: op => slots = websockets.Register(op.Id, secrets));
        InstanceEvents.Publish(context, "instance-console", name, "type", "console");
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
