using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Operations;
using Berth.Server.Storage;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/storage-pools/{pool}/volumes/custom/{name}/backups</c>: list, create, get, rename, delete, and
/// <c>/export</c>, which streams the tarball as it is made; and the import of such a tarball
/// (<c>POST …/volumes/custom</c> with <c>application/octet-stream</c>), reached through <see cref="StorageVolumesEndpoints"/>.
/// </summary>
internal sealed class StorageVolumeBackupsEndpoints(StorageVolumeService volumes, OperationManager operations)
{
    private const string Root = "/1.0/storage-pools/{pool}/volumes/{type}/{name}/backups";

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi(Root, new ApiRoute { Get = ListAsync, Post = CreateAsync });
        routes.MapApi(Root + "/{backup}", new ApiRoute { Get = GetAsync, Post = RenameAsync, Delete = DeleteAsync });
        routes.MapApi(Root + "/{backup}/export", new ApiRoute { Get = ExportAsync });
    }

    /// <summary>
    /// The upload is read into the new volume before answering, as for lxc import (a client may stop sending once
    /// it has a response); the operation then names the volume made.
    /// </summary>
    public async Task ImportAsync(HttpContext context, string pool, string project)
    {
        var name = context.Request.Headers["X-LXD-name"].ToString();
        var created = await volumes.ImportBackupAsync(pool, project, context.Request.Body, name, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        var operation = operations.Start("Restoring custom volume backup", VolumeResources(pool, created, project), _ => Task.CompletedTask);
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task ListAsync(HttpContext context)
    {
        var (pool, name, project) = Target(context);
        var list = volumes.Backups(pool, project, name);
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(b => StorageVolumeService.BackupUrl(pool, name, b.Name, project))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list.Select(Wire)], ApiJsonContext.Wire.ListStorageVolumeBackup);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (pool, name, project) = Target(context);
        var request = context.Request.ContentLength == 0
            ? new StorageVolumeBackupsPost()
            : await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumeBackupsPost).ConfigureAwait(false);
        var backup = volumes.ValidateBackupCreate(pool, project, name, request);
        var requestor = context.Requestor();
        var operation = operations.Start("Backing up storage volume", Resources(pool, name, backup, project),
            op => volumes.CreateBackupAsync(pool, project, name, backup, request, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var (pool, name, project) = Target(context);
        return ApiResults.SyncAsync(context, Wire(volumes.GetBackup(pool, project, name, Backup(context))), ApiJsonContext.Wire.StorageVolumeBackup);
    }

    private async Task RenameAsync(HttpContext context)
    {
        var (pool, name, project) = Target(context);
        var backup = Backup(context);
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.StorageVolumeBackupPost).ConfigureAwait(false);
        volumes.GetBackup(pool, project, name, backup);
        var requestor = context.Requestor();
        var operation = operations.Start("Renaming storage volume backup", Resources(pool, name, backup, project),
            op => volumes.RenameBackupAsync(pool, project, name, backup, request.Name, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var (pool, name, project) = Target(context);
        var backup = Backup(context);
        volumes.GetBackup(pool, project, name, backup);
        var requestor = context.Requestor();
        var operation = operations.Start("Deleting storage volume backup", Resources(pool, name, backup, project),
            op => volumes.DeleteBackupAsync(pool, project, name, backup, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>Checks first (so errors still get the envelope), then streams; a failure mid-stream aborts the connection.</summary>
    private async Task ExportAsync(HttpContext context)
    {
        var (pool, name, project) = Target(context);
        var backup = Backup(context);
        volumes.GetBackup(pool, project, name, backup);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = "attachment; filename=backup.tar.gz";
        // A known length is what makes lxc show "Exporting the backup: N% (speed)".
        context.Response.ContentLength = volumes.BackupLength(pool, project, name, backup);
        try
        {
            await volumes.ExportBackupAsync(pool, project, name, backup, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException)
        {
            context.Abort();
        }
    }

    /// <summary>The record without berthd's own field, as LXD sends it.</summary>
    private static StorageVolumeBackup Wire(StorageVolumeBackup backup) => backup with { CompressionAlgorithm = null };

    private static Dictionary<string, List<string>> VolumeResources(string pool, string name, string project) => new()
    {
        ["storage_volumes"] = [StorageVolumeService.Url(pool, "custom", name, project)],
    };

    private static Dictionary<string, List<string>> Resources(string pool, string name, string backup, string project)
    {
        var resources = VolumeResources(pool, name, project);
        // LXD 5.0 renders a backup resource as /1.0/backups/<name>; lxc storage volume export trims that prefix.
        resources["backups"] = ["/1.0/backups/" + Uri.EscapeDataString(backup)];
        return resources;
    }

    private static (string Pool, string Name, string Project) Target(HttpContext context)
    {
        var type = (string)context.Request.RouteValues["type"]!;
        if (type != "custom")
        {
            throw new ApiException(400, $"Backups are only made of custom volumes, not of type \"{type}\"");
        }

        return ((string)context.Request.RouteValues["pool"]!, (string)context.Request.RouteValues["name"]!, context.Request.Project());
    }

    private static string Backup(HttpContext context) => (string)context.Request.RouteValues["backup"]!;
}
