using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Exec;
using Berth.Daemon.Http;
using Berth.Server.Filtering;
using Berth.Server.Images;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/instances</c> (and LXD's legacy <c>/1.0/containers</c>): list, create, get, update, rename, delete, state.
/// Slow work runs as an operation; input that can be checked up front fails synchronously.
/// </summary>
internal sealed class InstancesEndpoints(InstanceService instances, ImageService images, ImagePuller puller, OperationManager operations, MigrationOperations migrations)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root, new ApiRoute { Get = ListAsync, Post = CreateAsync });
            routes.MapApi(root + "/{name}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Post = RenameAsync, Delete = DeleteAsync });
            routes.MapApi(root + "/{name}/state", new ApiRoute { Get = GetStateAsync, Put = PutStateAsync });
        }
    }

    private Task ListAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var filter = FilterExpression.Parse(context.Request.Query["filter"].ToString());
        var prefix = context.Request.Path.StartsWithSegments("/1.0/containers") ? "/1.0/containers/" : "/1.0/instances/";
        switch (context.Request.Recursion())
        {
            case 0:
                var names = instances.List(project).Where(i => Matches(filter, i)).Select(i => prefix + Uri.EscapeDataString(i.Name)).ToList();
                return ApiResults.SyncAsync(context, names, ApiJsonContext.Wire.ListString);
            case 1:
                return ApiResults.SyncAsync(context, [.. instances.List(project).Where(i => Matches(filter, i))], ApiJsonContext.Wire.ListInstance);
            default:
                return ApiResults.SyncAsync(context, [.. instances.ListFull(project).Where(i => Matches(filter, i))], ApiJsonContext.Wire.ListInstanceFull);
        }
    }

    private async Task CreateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        if (context.Request.ContentType?.StartsWith("application/octet-stream", StringComparison.Ordinal) == true)
        {
            await ImportBackupAsync(context, project).ConfigureAwait(false);
            return;
        }

        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstancesPost).ConfigureAwait(false);
        request.Source ??= new InstanceSource();
        if (request.Source.Type == "migration")
        {
            await ApiResults.AsyncAsync(context, migrations.StartTarget(project, request, context.Requestor())).ConfigureAwait(false);
            return;
        }

        instances.ValidateCreate(project, request);
        var requestor = context.Requestor();
        Image? local = null;
        if (request.Source.Type == "image" && request.Source.Server.Length == 0)
        {
            local = ResolveLocalImage(project, request.Source);
        }

        if (request.Source.Type == "copy")
        {
            var copy = operations.Start("Creating instance", InstanceService.Resources(request.Name),
                op => instances.CopyAsync(project, request, requestor, op.CancellationToken));
            await ApiResults.AsyncAsync(context, copy).ConfigureAwait(false);
            return;
        }

        var operation = operations.Start("Creating instance", InstanceService.Resources(request.Name), async op =>
        {
            var image = local;
            if (request.Source.Type == "image" && image is null)
            {
                image = await puller.PullAsync(new ImagesPost
                {
                    Source = new ImagesPostSource
                    {
                        Type = "image",
                        Server = request.Source.Server,
                        Protocol = request.Source.Protocol,
                        Alias = request.Source.Alias,
                        Fingerprint = request.Source.Fingerprint,
                        Certificate = request.Source.Certificate,
                        Secret = request.Source.Secret,
                    },
                }, op, requestor, cached: true).ConfigureAwait(false);
            }

            await instances.CreateAsync(project, request, image, requestor, op.CancellationToken).ConfigureAwait(false);
            if (image is not null)
            {
                await images.MarkUsedAsync(image.Fingerprint, op.CancellationToken).ConfigureAwait(false);
            }
        });
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var project = context.Request.Project();
        if (context.Request.Recursion() > 0)
        {
            var full = instances.GetFull(project, Name(context));
            return ApiResults.SyncAsync(context, full, ApiJsonContext.Wire.InstanceFull, InstanceService.ETagOf(full));
        }

        var instance = instances.Get(project, Name(context));
        return ApiResults.SyncAsync(context, instance, ApiJsonContext.Wire.Instance, InstanceService.ETagOf(instance));
    }

    /// <summary>PUT is asynchronous in LXD; validation happens first, so bad config is a synchronous 400.</summary>
    private async Task PutAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var put = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstancePut).ConfigureAwait(false);
        var name = Name(context);
        if (put.Restore is { Length: > 0 })
        {
            await RestoreAsync(context, project, name, put).ConfigureAwait(false);
            return;
        }

        await instances.UpdateAsync(project, name, put, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        var operation = operations.Start("Updating instance", InstanceService.Resources(name), _ => Task.CompletedTask);
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary><c>{"restore": "s1"}</c> (lxc sends <c>"c1/s1"</c>): the snapshot is checked first, then restored in an operation.</summary>
    private async Task RestoreAsync(HttpContext context, string project, string name, InstancePut put)
    {
        if (put.Stateful)
        {
            throw new ApiException(400, "Stateful restore needs CRIU, which fails on this kernel (criu 3.17 vs kernel >= 6.13)");
        }

        var snapName = put.Restore!.StartsWith(name + "/", StringComparison.Ordinal) ? put.Restore[(name.Length + 1)..] : put.Restore;
        instances.GetSnapshot(project, name, snapName);
        var requestor = context.Requestor();
        var operation = operations.Start("Restoring snapshot", InstanceService.Resources(name),
            op => instances.RestoreAsync(project, name, snapName, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        var current = instances.Get(project, name);
        var request = patch.Deserialize(ApiJsonContext.Wire.InstancePut) ?? new InstancePut();
        var config = new Dictionary<string, string>(current.Config, StringComparer.Ordinal);
        foreach (var (key, value) in request.Config ?? [])
        {
            config[key] = value;
        }

        var devices = new Dictionary<string, Dictionary<string, string>>(current.Devices, StringComparer.Ordinal);
        foreach (var (key, value) in request.Devices ?? [])
        {
            devices[key] = value;
        }

        var merged = current with
        {
            Config = config,
            Devices = devices,
            Profiles = patch.TryGetProperty("profiles", out _) ? request.Profiles : current.Profiles,
            Description = patch.TryGetProperty("description", out _) ? request.Description : current.Description,
            Ephemeral = patch.TryGetProperty("ephemeral", out _) ? request.Ephemeral : current.Ephemeral,
        };
        await instances.UpdateAsync(project, name, merged, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task RenameAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstancePost).ConfigureAwait(false);
        var requestor = context.Requestor();
        if (request.Migration && request.Pool.Length > 0)
        {
            // lxc move -s: the storage moves, then the instance takes its new name if it has one.
            var newName = request.Name.Length == 0 ? name : request.Name;
            instances.EnsureDeletable(project, name);
            if (newName != name)
            {
                InstanceNames.Validate(newName);
                if (instances.Exists(project, newName))
                {
                    throw new ApiException(409, $"Name \"{newName}\" already in use");
                }
            }

            var move = operations.Start("Moving instance", InstanceService.Resources(name), async op =>
            {
                await instances.MovePoolAsync(project, name, request.Pool, requestor, op.CancellationToken).ConfigureAwait(false);
                if (newName != name)
                {
                    await instances.RenameAsync(project, name, newName, requestor, op.CancellationToken).ConfigureAwait(false);
                }
            });
            await ApiResults.AsyncAsync(context, move).ConfigureAwait(false);
            return;
        }

        if (request.Migration)
        {
            await ApiResults.AsyncAsync(context, await migrations.StartSourceAsync(project, name, request, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        InstanceNames.Validate(request.Name);
        instances.EnsureDeletable(project, name);
        if (instances.Exists(project, request.Name))
        {
            throw new ApiException(409, $"Name \"{request.Name}\" already in use");
        }

        var operation = operations.Start("Renaming instance", InstanceService.Resources(name),
            op => instances.RenameAsync(project, name, request.Name, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        instances.EnsureDeletable(project, name);
        var requestor = context.Requestor();
        var operation = operations.Start("Deleting instance", InstanceService.Resources(name),
            op => instances.DeleteAsync(project, name, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetStateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        if (!instances.Exists(project, name))
        {
            throw new ApiException(404, "Instance not found");
        }

        return ApiResults.SyncAsync(context, instances.State(project, name), ApiJsonContext.Wire.InstanceState);
    }

    private async Task PutStateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceStatePut).ConfigureAwait(false);
        var current = instances.Get(project, name);
        var requestor = context.Requestor();
        (string Description, Func<IOperationContext, Task> Work) action = request.Action switch
        {
            "start" => ("Starting instance", op => instances.StartAsync(project, name, requestor, op.CancellationToken)),
            "stop" => ("Stopping instance", op => instances.StopAsync(project, name, request.Force, request.Timeout, requestor, op.CancellationToken)),
            "restart" => ("Restarting instance", op => instances.RestartAsync(project, name, request.Force, request.Timeout, requestor, op.CancellationToken)),
            "freeze" => ("Freezing instance", _ => Run(() => instances.Freeze(project, name, requestor))),
            "unfreeze" => ("Unfreezing instance", _ => Run(() => instances.Unfreeze(project, name, requestor))),
            _ => throw new ApiException(400, $"Unknown action \"{request.Action}\""),
        };
        if (request.Action == "start" && current.StatusCode != StatusCode.Stopped)
        {
            throw new ApiException(400, "The instance is already running");
        }

        if (request.Action == "stop" && current.StatusCode == StatusCode.Stopped)
        {
            throw new ApiException(400, "The instance is already stopped");
        }

        if (request.Stateful)
        {
            throw new ApiException(400, "Stateful stop and start need CRIU, which fails on this kernel (criu 3.17 vs kernel >= 6.13)");
        }

        var operation = operations.Start(action.Description, new() { ["instances"] = [InstanceService.Url(name)] }, action.Work);
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>An alias or fingerprint of a local image; a missing one is LXD's 404.</summary>
    private Image ResolveLocalImage(string project, InstanceSource source)
    {
        if (source.Alias.Length > 0)
        {
            var alias = images.List(project).FirstOrDefault(i => i.Aliases.Any(a => a.Name == source.Alias))
                ?? throw new ApiException(404, "Image alias not found");
            return alias;
        }

        if (source.Fingerprint.Length > 0)
        {
            return images.Get(project, source.Fingerprint);
        }

        if (source.Properties is { Count: > 0 } properties)
        {
            return images.List(project)
                .Where(i => properties.All(p => i.Properties.TryGetValue(p.Key, out var v) && v == p.Value))
                .MaxBy(i => i.CreatedAt) ?? throw new ApiException(404, "No image matches the requested properties");
        }

        throw new ApiException(400, "The image source needs an alias, a fingerprint or properties");
    }

    private static bool Matches(FilterExpression filter, Instance instance) =>
        filter == FilterExpression.All || filter.Matches(JsonSerializer.SerializeToElement(instance, ApiJsonContext.Wire.Instance));

    private static Task Run(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    /// <summary>
    /// A backup tarball as the body (lxc import): read straight into the new volumes before answering, as LXD
    /// reads the upload before its operation starts (a client may stop sending once it has a response); the
    /// operation then reports the instance made. A bad file is a 400 with nothing left behind.
    /// </summary>
    private async Task ImportBackupAsync(HttpContext context, string project)
    {
        var name = context.Request.Headers["X-LXD-name"].ToString();
        var pool = context.Request.Headers["X-LXD-pool"].ToString();
        var created = await instances.ImportBackupAsync(project, context.Request.Body, name, pool, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        var operation = operations.Start("Restoring backup", InstanceService.Resources(created), _ => Task.CompletedTask);
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
