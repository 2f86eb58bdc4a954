using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Exec;
using Berth.Daemon.Http;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary><c>POST /1.0/instances/{name}/exec</c> and the operation websockets it is driven through.</summary>
internal sealed class ExecEndpoints(InstanceService instances, InstancePaths paths, OperationManager operations, WebsocketOperations websockets)
{
    private static readonly Dictionary<string, string> DefaultEnvironment = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["LANG"] = "C.UTF-8",
    };

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/instances/{name}/exec", new ApiRoute { Post = ExecAsync });
        routes.MapApi("/1.0/containers/{name}/exec", new ApiRoute { Post = ExecAsync });
        routes.MapApi("/1.0/operations/{id}/websocket", new ApiRoute { Get = ConnectAsync, Untrusted = true });
    }

    private async Task ExecAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = (string)context.Request.RouteValues["name"]!;
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceExecPost).ConfigureAwait(false);
        var instance = instances.Get(project, name);
        if (instance.StatusCode != StatusCode.Running)
        {
            throw new ApiException(400, "Instance is not running");
        }

        if (request.Command is not { Count: > 0 })
        {
            throw new ApiException(400, "No command given");
        }

        var environment = new Dictionary<string, string>(DefaultEnvironment, StringComparer.Ordinal);
        if (request.User == 0)
        {
            environment["HOME"] = "/root";
            environment["USER"] = "root";
        }

        foreach (var (key, value) in instance.ExpandedConfig.Where(kv => kv.Key.StartsWith("environment.", StringComparison.Ordinal)))
        {
            environment[key["environment.".Length..]] = value;
        }

        foreach (var (key, value) in request.Environment ?? [])
        {
            environment[key] = value;
        }

        var metadata = new Dictionary<string, JsonElement>
        {
            ["command"] = JsonSerializer.SerializeToElement(request.Command, ApiJsonContext.Wire.ListString),
            ["environment"] = JsonSerializer.SerializeToElement(environment, ApiJsonContext.Wire.DictionaryStringString),
            ["interactive"] = JsonSerializer.SerializeToElement(request.Interactive, ApiJsonContext.Wire.Boolean),
        };
        Dictionary<string, string>? secrets = null;
        if (request.WaitForWebsocket)
        {
            secrets = (request.Interactive ? new[] { "0", "control" } : ["0", "1", "2", "control"])
                .ToDictionary(s => s, _ => WebsocketOperations.NewSecret(), StringComparer.Ordinal);
            metadata["fds"] = JsonSerializer.SerializeToElement(secrets, ApiJsonContext.Wire.DictionaryStringString);
        }

        WebsocketSlots? slots = null;
        var operation = operations.Start("Executing command", InstanceService.Resources(name), async op =>
        {
            try
            {
                await new ExecSession(paths.LxcPath, name, request, environment, slots) { Recording = Recording(name, request, op.Id) }
                    .RunAsync(op).ConfigureAwait(false);
            }
            finally
            {
                websockets.Unregister(op.Id);
            }
        }, request.WaitForWebsocket ? OperationClass.Websocket : OperationClass.Task, metadata: metadata, registerBeforeRun: op =>
        {
            if (secrets is not null)
            {
                slots = websockets.Register(op.Id, secrets);
            }
        });
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>
    /// A command run without websockets (<c>wait-for-websocket: false</c>) with <c>record-output</c> has its
    /// stdout and stderr kept as the instance logs <c>exec_&lt;operation&gt;.stdout|stderr</c>, which the client
    /// reads and deletes through <c>/1.0/instances/{name}/logs</c>, as in LXD 5.0.
    /// </summary>
    private ExecSession.OutputRecording? Recording(string name, InstanceExecPost request, string operationId)
    {
        if (request.WaitForWebsocket || !request.RecordOutput)
        {
            return null;
        }

        var logs = "/1.0/instances/" + Uri.EscapeDataString(name) + "/logs/";
        string File(string stream) => $"exec_{operationId}.{stream}";
        Directory.CreateDirectory(paths.LxcDir(name));
        return new(Path.Combine(paths.LxcDir(name), File("stdout")), Path.Combine(paths.LxcDir(name), File("stderr")), logs + File("stdout"), logs + File("stderr"));
    }

    /// <summary>Hands the upgraded socket to the operation and keeps the request open until it is done with it.</summary>
    private async Task ConnectAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var slots = websockets.Find(id) ?? throw new ApiException(404, "Operation not found");
        var stream = slots.StreamFor(context.Request.Query["secret"].ToString()) ?? throw new ApiException(403, "Wrong secret");
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new ApiException(400, "This endpoint requires a websocket connection");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        slots.Connected(stream, socket);
        await slots.Done.Task.ConfigureAwait(false);
    }
}
