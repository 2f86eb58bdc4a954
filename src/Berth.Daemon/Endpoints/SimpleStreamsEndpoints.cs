using System.Text.Json;
using Berth.Api;
using Berth.Daemon.Http;
using Berth.Server.Images;
using Berth.Server.Images.SimpleStreams;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/streams/v1/</c>: berthd's public images as a simplestreams tree (plain JSON and files, no envelopes),
/// readable by anyone, as an image server's public images are.
/// </summary>
internal sealed class SimpleStreamsEndpoints(SimpleStreamsPublisher publisher, ImageService images)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/streams/v1/index.json", new ApiRoute { Get = IndexAsync, Untrusted = true });
        routes.MapApi("/" + SimpleStreamsPublisher.ProductsPath, new ApiRoute { Get = ProductsAsync, Untrusted = true });
        routes.MapApi("/streams/files/{fingerprint}/{name}", new ApiRoute { Get = FileAsync, Untrusted = true });
    }

    private Task IndexAsync(HttpContext context) =>
        WriteJsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(publisher.Index(), SimpleStreamsJsonContext.Default.StreamsIndex));

    private Task ProductsAsync(HttpContext context) =>
        WriteJsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(publisher.Products(), SimpleStreamsJsonContext.Default.StreamsProducts));

    private async Task FileAsync(HttpContext context)
    {
        var image = images.Get("default", (string)context.Request.RouteValues["fingerprint"]!);
        if (!image.Public)
        {
            throw new ApiException(404, "not found");
        }

        var name = (string)context.Request.RouteValues["name"]!;
        var path = name switch
        {
            "lxd_combined.tar.gz" or "lxd.tar.xz" => images.FilePath(image.Fingerprint),
            "rootfs.squashfs" or "root.tar.xz" => images.RootfsPath(image.Fingerprint),
            _ => throw new ApiException(404, "not found"),
        };
        if (!File.Exists(path))
        {
            throw new ApiException(404, "not found");
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = new FileInfo(path).Length;
        await context.Response.SendFileAsync(path, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
