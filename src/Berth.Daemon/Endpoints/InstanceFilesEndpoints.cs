using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Native;
using Berth.Server.Instances;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>GET/HEAD/POST/DELETE /1.0/instances/{name}/files?path=</c>: raw file bodies, directory listings and symlinks
/// with LXD's <c>X-LXD-*</c> headers; ids in headers are the container's.
/// </summary>
internal sealed class InstanceFilesEndpoints(InstanceFiles files)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root + "/{name}/files", new ApiRoute { Get = GetAsync, Head = HeadAsync, Post = PostAsync, Delete = DeleteAsync });
        }
    }

    private Task HeadAsync(HttpContext context) => GetAsync(context, headOnly: true);

    private Task GetAsync(HttpContext context) => GetAsync(context, headOnly: false);

    private async Task GetAsync(HttpContext context, bool headOnly)
    {
        var path = PathOf(context);
        using var access = Open(context);
        var info = access.Stat(path) ?? throw new ApiException(404, "Not found");
        var headers = context.Response.Headers;
        headers["X-LXD-uid"] = info.Uid.ToString(CultureInfo.InvariantCulture);
        headers["X-LXD-gid"] = info.Gid.ToString(CultureInfo.InvariantCulture);
        headers["X-LXD-mode"] = Convert.ToString(info.Mode, 8).PadLeft(4, '0');
        headers["X-LXD-modified"] = info.Modified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss '+0000 UTC'", CultureInfo.InvariantCulture);
        switch (info.Type)
        {
            case UnixFileType.Directory:
                headers["X-LXD-type"] = "directory";
                if (headOnly)
                {
                    return;
                }

                var entries = access.List(path);
                InstanceEvents.Publish(context, "instance-file-retrieved", Name(context), "path", path);
                await ApiResults.SyncAsync(context, [.. entries], ApiJsonContext.Wire.ListString).ConfigureAwait(false);
                return;
            case UnixFileType.Symlink:
                headers["X-LXD-type"] = "symlink";
                context.Response.ContentType = "application/octet-stream";
                var target = System.Text.Encoding.UTF8.GetBytes(access.ReadLink(path));
                context.Response.ContentLength = target.Length;
                if (!headOnly)
                {
                    InstanceEvents.Publish(context, "instance-file-retrieved", Name(context), "path", path);
                    await context.Response.Body.WriteAsync(target, context.RequestAborted).ConfigureAwait(false);
                }

                return;
            case UnixFileType.File:
                headers["X-LXD-type"] = "file";
                context.Response.ContentType = "application/octet-stream";
                headers.ContentDisposition = "inline;filename=" + System.IO.Path.GetFileName(path.TrimEnd('/'));
                headers.LastModified = info.Modified.ToString("R", CultureInfo.InvariantCulture);
                if (headOnly)
                {
                    context.Response.ContentLength = info.Size;
                    return;
                }

                InstanceEvents.Publish(context, "instance-file-retrieved", Name(context), "path", path);
                await using (var stream = access.OpenRead(path))
                {
                    context.Response.ContentLength = stream.Length;
                    await stream.CopyToAsync(context.Response.Body, 128 * 1024, context.RequestAborted).ConfigureAwait(false);
                }

                return;
            default:
                throw new ApiException(400, $"\"{path}\" is not a file, directory or symlink");
        }
    }

    private async Task PostAsync(HttpContext context)
    {
        var path = PathOf(context);
        var request = context.Request.Headers;
        var uid = Id(request["X-LXD-uid"], "uid");
        var gid = Id(request["X-LXD-gid"], "gid");
        var mode = Mode(request["X-LXD-mode"]);
        var type = request["X-LXD-type"].ToString() is { Length: > 0 } t ? t : "file";
        var write = request["X-LXD-write"].ToString() is { Length: > 0 } w ? w : "overwrite";
        if (write is not ("overwrite" or "append"))
        {
            throw new ApiException(400, $"Bad file write mode: {write}");
        }

        using var access = Open(context);
        switch (type)
        {
            case "file":
                await access.WriteFileAsync(path, context.Request.Body, write == "append", uid, gid, mode, context.RequestAborted).ConfigureAwait(false);
                break;
            case "directory":
                access.CreateDirectory(path, uid, gid, mode);
                break;
            case "symlink":
                using (var reader = new StreamReader(context.Request.Body))
                {
                    var target = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
                    if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
                    {
                        throw new ApiException(400, "Bad symlink target");
                    }

                    access.CreateSymlink(path, target, uid, gid);
                }

                break;
            default:
                throw new ApiException(400, $"Bad file type: {type}");
        }

        InstanceEvents.Publish(context, "instance-file-pushed", Name(context), "path", path);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var path = PathOf(context);
        using (var access = Open(context))
        {
            access.Delete(path);
        }

        InstanceEvents.Publish(context, "instance-file-deleted", Name(context), "path", path);

        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private InstanceFileAccess Open(HttpContext context) => files.Open(context.Request.Project(), Name(context));

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    private static string PathOf(HttpContext context)
    {
        var path = context.Request.Query["path"].ToString();
        return path.Length == 0 ? throw new ApiException(400, "Missing path argument")
            : path.Contains('\0', StringComparison.Ordinal) ? throw new ApiException(400, "Bad path") : path;
    }

    /// <summary>A decimal uid or gid; absent is -1 (keep, or 0 for new entries).</summary>
    private static int Id(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            return -1;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
            : value == "-1" ? -1
            : throw new ApiException(400, $"Bad {what}: {value}");
    }

    /// <summary>Go's ParseInt base 0, as LXD: "0640" octal, "0x1a4" hex, "420" decimal.</summary>
    private static int Mode(string? value)
    {
        if (string.IsNullOrEmpty(value) || value == "-1")
        {
            return -1;
        }

        try
        {
            var mode = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt32(value[2..], 16)
                : value.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt32(value[2..], 8)
                : value.Length > 1 && value[0] == '0' ? Convert.ToInt32(value[1..], 8)
                : int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            return mode is >= 0 and <= 0xFFF ? mode : throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new ApiException(400, $"Bad mode: {value}");
        }
    }
}
