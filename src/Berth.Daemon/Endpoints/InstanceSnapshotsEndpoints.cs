using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Exec;
using Berth.Daemon.Http;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/instances/{name}/snapshots</c> (and the legacy <c>/1.0/containers</c> path): list, create, get, update
/// expiry, rename, delete. Slow work runs as an operation after synchronous checks.
/// </summary>
internal sealed class InstanceSnapshotsEndpoints(InstanceService instances, OperationManager operations, MigrationOperations migrations)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root + "/{name}/snapshots", new ApiRoute { Get = ListAsync, Post = CreateAsync });
            routes.MapApi(root + "/{name}/snapshots/{snapshot}", new ApiRoute { Get = GetAsync, Put = UpdateAsync, Patch = UpdateAsync, Post = RenameAsync, Delete = DeleteAsync });
        }
    }

    private Task ListAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        var list = instances.Snapshots(project, name);
        var prefix = context.Request.Path.StartsWithSegments("/1.0/containers") ? "/1.0/containers/" : "/1.0/instances/";
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(s => prefix + Uri.EscapeDataString(name) + "/snapshots/" + Uri.EscapeDataString(s.Name))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListInstanceSnapshot);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        var request = await ReadOrEmptyAsync(context, ApiJsonContext.Wire.InstanceSnapshotsPost, () => new InstanceSnapshotsPost()).ConfigureAwait(false);
        var snapName = instances.ValidateSnapshotCreate(project, name, request);
        var requestor = context.Requestor();
        var operation = operations.Start("Snapshotting instance", Resources(name, snapName),
            op => instances.CreateSnapshotAsync(project, name, snapName, request.ExpiresAt, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var snapshot = instances.GetSnapshot(context.Request.Project(), Name(context), Snapshot(context));
        return ApiResults.SyncAsync(context, snapshot, ApiJsonContext.Wire.InstanceSnapshot);
    }

    private async Task UpdateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var (name, snapName) = (Name(context), Snapshot(context));
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceSnapshotPut).ConfigureAwait(false);
        instances.GetSnapshot(project, name, snapName);
        var requestor = context.Requestor();
        var operation = operations.Start("Updating snapshot", Resources(name, snapName),
            op => instances.UpdateSnapshotAsync(project, name, snapName, request.ExpiresAt, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task RenameAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var (name, snapName) = (Name(context), Snapshot(context));
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceSnapshotPost).ConfigureAwait(false);
        if (request.Migration)
        {
            await ApiResults.AsyncAsync(context, await migrations.StartSnapshotSourceAsync(project, name, snapName, request, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        instances.ValidateSnapshotRename(project, name, snapName, request.Name);
        var requestor = context.Requestor();
        var operation = operations.Start("Renaming snapshot", Resources(name, snapName),
            op => instances.RenameSnapshotAsync(project, name, snapName, request.Name, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var (name, snapName) = (Name(context), Snapshot(context));
        instances.GetSnapshot(project, name, snapName);
        var requestor = context.Requestor();
        var operation = operations.Start("Deleting snapshot", Resources(name, snapName),
            op => instances.DeleteSnapshotAsync(project, name, snapName, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private static Dictionary<string, List<string>> Resources(string name, string snapName)
    {
        var resources = InstanceService.Resources(name);
        resources["instances_snapshots"] = [InstanceService.SnapshotUrl(name, snapName)];
        return resources;
    }

    /// <summary><c>lxc snapshot</c> always sends a body; other clients may send none.</summary>
    private static async Task<T> ReadOrEmptyAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, Func<T> empty)
    {
        if (context.Request.ContentLength == 0)
        {
            return empty();
        }

        var element = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        return element.ValueKind == JsonValueKind.Object ? element.Deserialize(type) ?? empty() : empty();
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static string Snapshot(HttpContext context) => (string)context.Request.RouteValues["snapshot"]!;
}
