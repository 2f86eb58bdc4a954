using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Operations;
using Berth.Server.Storage;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/storage-pools/{pool}/volumes</c>: custom volumes (create, copy, get, update, restore, rename, move,
/// delete) and their snapshots; instance volumes are listed as type <c>container</c>.
/// </summary>
internal sealed class StorageVolumesEndpoints(StorageVolumeService volumes, OperationManager operations)
{
    private readonly StorageVolumeBackupsEndpoints _backups = new(volumes, operations);

    private const string Root = "/1.0/storage-pools/{pool}/volumes";

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi(Root, new ApiRoute { Get = ListAsync, Post = CreateAsync });
        routes.MapApi(Root + "/{type}", new ApiRoute { Get = ListAsync, Post = CreateAsync });
        routes.MapApi(Root + "/{type}/{name}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Post = MoveAsync, Delete = DeleteAsync });
        routes.MapApi(Root + "/{type}/{name}/state", new ApiRoute { Get = StateAsync });
        routes.MapApi(Root + "/{type}/{name}/snapshots", new ApiRoute { Get = ListSnapshotsAsync, Post = CreateSnapshotAsync });
        routes.MapApi(Root + "/{type}/{name}/snapshots/{snapshot}", new ApiRoute { Get = GetSnapshotAsync, Put = UpdateSnapshotAsync, Patch = UpdateSnapshotAsync, Post = RenameSnapshotAsync, Delete = DeleteSnapshotAsync });
        _backups.Map(routes);
    }

    private Task ListAsync(HttpContext context)
    {
        var pool = Pool(context);
        var project = context.Request.Project();
        var type = context.Request.RouteValues.TryGetValue("type", out var t) ? (string?)t : null;
        var list = volumes.ListWithSnapshots(pool, project, type);
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(v => StorageVolumeService.ListedUrl(pool, v, project))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListStorageVolume);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (pool, project) = (Pool(context), context.Request.Project());
        if (context.Request.ContentType?.StartsWith("application/octet-stream", StringComparison.Ordinal) == true)
        {
            await _backups.ImportAsync(context, pool, project).ConfigureAwait(false);
            return;
        }

        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumesPost).ConfigureAwait(false);
        if (context.Request.RouteValues.TryGetValue("type", out var type) && string.IsNullOrEmpty(request.Type))
        {
            request.Type = (string)type!;
        }

        var requestor = context.Requestor();
        if (request.Source is { Name.Length: > 0 })
        {
            volumes.ValidateCopy(pool, project, request);
            var operation = operations.Start("Copying storage volume", Resources(pool, request.Name, project),
                op => volumes.CopyAsync(pool, project, request, requestor, op.CancellationToken));
            await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
            return;
        }

        await volumes.CreateAsync(pool, project, request, requestor, context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var volume = volumes.Get(Pool(context), context.Request.Project(), Type(context), Name(context));
        return ApiResults.SyncAsync(context, volume, ApiJsonContext.Wire.StorageVolume, StorageVolumeService.ETagOf(volume));
    }

    private async Task StateAsync(HttpContext context)
    {
        var state = await volumes.StateAsync(Pool(context), context.Request.Project(), Type(context), Name(context), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.SyncAsync(context, state, ApiJsonContext.Wire.StorageVolumeState).ConfigureAwait(false);
    }

    private async Task PutAsync(HttpContext context)
    {
        if (Type(context) == "container")
        {
            var put = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumePut).ConfigureAwait(false);
            await volumes.UpdateInstanceVolumeAsync(Pool(context), context.Request.Project(), Name(context), put, merge: false, hasDescription: true, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
            await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
            return;
        }

        CustomOnly(context);
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumePut).ConfigureAwait(false);
        await volumes.UpdateAsync(Pool(context), context.Request.Project(), Name(context), request, merge: false, hasDescription: true, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        if (Type(context) != "container")
        {
            CustomOnly(context);
        }

        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        var request = patch.Deserialize(ApiJsonContext.Wire.StorageVolumePut) ?? new StorageVolumePut();
        if (Type(context) == "container")
        {
            await volumes.UpdateInstanceVolumeAsync(Pool(context), context.Request.Project(), Name(context), request, merge: true, patch.TryGetProperty("description", out _), context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
            await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
            return;
        }

        await volumes.UpdateAsync(Pool(context), context.Request.Project(), Name(context), request, merge: true, patch.TryGetProperty("description", out _), context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    /// <summary>A rename in the pool answers 201 + Location as LXD; a move to another pool is an operation.</summary>
    private async Task MoveAsync(HttpContext context)
    {
        CustomOnly(context);
        var (pool, project, name) = (Pool(context), context.Request.Project(), Name(context));
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumePost).ConfigureAwait(false);
        volumes.ValidateMove(pool, project, name, request);
        var requestor = context.Requestor();
        if (string.IsNullOrEmpty(request.Pool) || request.Pool == pool)
        {
            await volumes.MoveAsync(pool, project, name, request, requestor, context.RequestAborted).ConfigureAwait(false);
            await ApiResults.CreatedAsync(context, StorageVolumeService.Url(pool, "custom", request.Name, project)).ConfigureAwait(false);
            return;
        }

        var operation = operations.Start("Moving storage volume", Resources(pool, name, project),
            op => volumes.MoveAsync(pool, project, name, request, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        CustomOnly(context);
        await volumes.DeleteAsync(Pool(context), context.Request.Project(), Name(context), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private Task ListSnapshotsAsync(HttpContext context)
    {
        if (Type(context) != "container")
        {
            CustomOnly(context);
        }

        var (pool, project, name) = (Pool(context), context.Request.Project(), Name(context));
        var list = Type(context) == "container" ? volumes.InstanceVolumeSnapshots(pool, project, name) : volumes.Snapshots(pool, project, name);
        var url = StorageVolumeService.Url(pool, Type(context), name, "default");
        var suffix = project == "default" ? "" : "?project=" + Uri.EscapeDataString(project);
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(s => $"{url}/snapshots/{Uri.EscapeDataString(s.Name)}{suffix}")], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list], ApiJsonContext.Wire.ListStorageVolumeSnapshot);
    }

    private async Task CreateSnapshotAsync(HttpContext context)
    {
        CustomOnly(context);
        var (pool, project, name) = (Pool(context), context.Request.Project(), Name(context));
        var request = context.Request.ContentLength == 0
            ? new StorageVolumeSnapshotsPost()
            : await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumeSnapshotsPost).ConfigureAwait(false);
        var snapName = volumes.ValidateSnapshotCreate(pool, project, name, request);
        var requestor = context.Requestor();
        var operation = operations.Start("Snapshotting storage volume", Resources(pool, name, project),
            op => volumes.CreateSnapshotAsync(pool, project, name, snapName, request.ExpiresAt, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetSnapshotAsync(HttpContext context)
    {
        if (Type(context) == "container")
        {
            var instanceSnapshot = volumes.GetInstanceVolumeSnapshot(Pool(context), context.Request.Project(), Name(context), Snapshot(context));
            return ApiResults.SyncAsync(context, instanceSnapshot, ApiJsonContext.Wire.StorageVolumeSnapshot);
        }

        CustomOnly(context);
        var snapshot = volumes.GetSnapshot(Pool(context), context.Request.Project(), Name(context), Snapshot(context));
        return ApiResults.SyncAsync(context, snapshot, ApiJsonContext.Wire.StorageVolumeSnapshot);
    }

    private async Task UpdateSnapshotAsync(HttpContext context)
    {
        var (pool, project, name, snap) = (Pool(context), context.Request.Project(), Name(context), Snapshot(context));
        if (Type(context) == "container")
        {
            // Only the description: the snapshot's expiry belongs to the instance snapshot (lxc config edit c/snap).
            var instanceSnapshot = volumes.GetInstanceVolumeSnapshot(pool, project, name, snap);
            var body = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
            var text = body.TryGetProperty("description", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : instanceSnapshot.Description;
            await volumes.UpdateInstanceVolumeSnapshotAsync(pool, project, name, snap, text, context.RequestAborted).ConfigureAwait(false);
            await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
            return;
        }

        CustomOnly(context);
        var current = volumes.GetSnapshot(pool, project, name, snap);
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        var description = patch.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : current.Description;
        var expires = patch.TryGetProperty("expires_at", out var e) && e.ValueKind == JsonValueKind.String ? e.GetDateTimeOffset() : current.ExpiresAt;
        await volumes.UpdateSnapshotAsync(pool, project, name, snap, description, expires, context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task RenameSnapshotAsync(HttpContext context)
    {
        CustomOnly(context);
        var (pool, project, name, snap) = (Pool(context), context.Request.Project(), Name(context), Snapshot(context));
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumePost).ConfigureAwait(false);
        volumes.GetSnapshot(pool, project, name, snap);
        StorageVolumeService.ValidateName(request.Name);
        var operation = operations.Start("Renaming storage volume snapshot", Resources(pool, name, project),
            op => volumes.RenameSnapshotAsync(pool, project, name, snap, request.Name, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task DeleteSnapshotAsync(HttpContext context)
    {
        CustomOnly(context);
        var (pool, project, name, snap) = (Pool(context), context.Request.Project(), Name(context), Snapshot(context));
        volumes.GetSnapshot(pool, project, name, snap);
        var requestor = context.Requestor();
        var operation = operations.Start("Deleting storage volume snapshot", Resources(pool, name, project),
            op => volumes.DeleteSnapshotAsync(pool, project, name, snap, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private static Dictionary<string, List<string>> Resources(string pool, string name, string project) => new()
    {
        ["storage_volumes"] = [StorageVolumeService.Url(pool, "custom", name, project)],
    };

    private static void CustomOnly(HttpContext context)
    {
        if (Type(context) != "custom")
        {
            throw Type(context) is "container" or "image" or "virtual-machine"
                ? new ApiException(400, $"Volumes of type \"{Type(context)}\" are managed through their instance or image")
                : new ApiException(400, $"Invalid storage volume type \"{Type(context)}\"");
        }
    }

    private static string Pool(HttpContext context) => (string)context.Request.RouteValues["pool"]!;

    private static string Type(HttpContext context) => (string)context.Request.RouteValues["type"]!;

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static string Snapshot(HttpContext context) => (string)context.Request.RouteValues["snapshot"]!;
}
