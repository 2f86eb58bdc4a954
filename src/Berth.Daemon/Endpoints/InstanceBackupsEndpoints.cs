using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/instances/{name}/backups</c> (and the legacy <c>/1.0/containers</c> path): list, create, get, rename,
/// delete, and <c>/export</c>, which streams the tarball as it is made.
/// </summary>
internal sealed class InstanceBackupsEndpoints(InstanceService instances, OperationManager operations)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root + "/{name}/backups", new ApiRoute { Get = ListAsync, Post = CreateAsync });
            routes.MapApi(root + "/{name}/backups/{backup}", new ApiRoute { Get = GetAsync, Post = RenameAsync, Delete = DeleteAsync });
            routes.MapApi(root + "/{name}/backups/{backup}/export", new ApiRoute { Get = ExportAsync });
        }
    }

    private Task ListAsync(HttpContext context)
    {
        var name = Name(context);
        var list = instances.Backups(context.Request.Project(), name);
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(b => InstanceService.BackupUrl(name, b.Name))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, [.. list.Select(Wire)], ApiJsonContext.Wire.ListInstanceBackup);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var name = Name(context);
        var request = context.Request.ContentLength == 0
            ? new InstanceBackupsPost()
            : await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceBackupsPost).ConfigureAwait(false);
        var backup = instances.ValidateBackupCreate(project, name, request);
        var operation = operations.Start("Backing up instance", Resources(name, backup),
            op => instances.CreateBackupAsync(project, name, backup, request, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context) =>
        ApiResults.SyncAsync(context, Wire(instances.GetBackup(context.Request.Project(), Name(context), Backup(context))), ApiJsonContext.Wire.InstanceBackup);

    private async Task RenameAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var (name, backup) = (Name(context), Backup(context));
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceBackupPost).ConfigureAwait(false);
        instances.GetBackup(project, name, backup);
        var operation = operations.Start("Renaming instance backup", Resources(name, backup),
            op => instances.RenameBackupAsync(project, name, backup, request.Name, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var (name, backup) = (Name(context), Backup(context));
        instances.GetBackup(project, name, backup);
        var operation = operations.Start("Deleting instance backup", Resources(name, backup),
            op => instances.DeleteBackupAsync(project, name, backup, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>Checks first (so errors still get the envelope), then streams; a failure mid-stream aborts the connection.</summary>
    private async Task ExportAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var (name, backup) = (Name(context), Backup(context));
        instances.GetBackup(project, name, backup);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"attachment; filename=backup.tar.gz";
        try
        {
            await instances.ExportBackupAsync(project, name, backup, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException)
        {
            context.Abort();
        }
    }

    /// <summary>The record without berthd's own field, as LXD sends it.</summary>
    private static InstanceBackup Wire(InstanceBackup backup) => backup with { CompressionAlgorithm = null };

    private static Dictionary<string, List<string>> Resources(string name, string backup)
    {
        var resources = InstanceService.Resources(name);
        // LXD renders a backup resource as /1.0/backups/<name>; lxc export trims that prefix to find the backup.
        resources["backups"] = ["/1.0/backups/" + Uri.EscapeDataString(backup)];
        return resources;
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static string Backup(HttpContext context) => (string)context.Request.RouteValues["backup"]!;
}
