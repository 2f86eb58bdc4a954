using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Filtering;
using Berth.Server.Images;
using Berth.Server.Images.Lxd;
using Berth.Server.Instances;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/images</c>: list, upload, get, update, delete, export, push, refresh, secret.</summary>
internal sealed class ImagesEndpoints(ImageService images, ImageAliasService aliases, ImagePuller puller, ImageSecrets secrets, LxdImagePusher pusher, InstancePublisher publisher, OperationManager operations)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        // Untrusted callers may read public images (the LXD protocol between servers), or a private one with a
        // secret; handlers check the rest.
        routes.MapApi("/1.0/images", new ApiRoute { Get = ListAsync, Post = CreateAsync, Untrusted = true });
        routes.MapApi("/1.0/images/{fingerprint}", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Delete = DeleteAsync, Untrusted = true });
        routes.MapApi("/1.0/images/{fingerprint}/export", new ApiRoute { Get = ExportAsync, Post = PushAsync, Untrusted = true });
        routes.MapApi("/1.0/images/{fingerprint}/refresh", new ApiRoute { Post = RefreshAsync });
        routes.MapApi("/1.0/images/{fingerprint}/secret", new ApiRoute { Post = SecretAsync });
    }

    private Task ListAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var filter = FilterExpression.Parse(context.Request.Query["filter"].ToString());
        var list = images.List(project, publicOnly: !context.IsTrusted())
            .Where(i => filter.Matches(JsonSerializer.SerializeToElement(i, ApiJsonContext.Wire.Image)))
            .ToList();
        return context.Request.Recursion() == 0
            ? ApiResults.SyncAsync(context, [.. list.Select(i => ImageService.Url(i.Fingerprint))], ApiJsonContext.Wire.ListString)
            : ApiResults.SyncAsync(context, list, ApiJsonContext.Wire.ListImage);
    }

    /// <summary>
    /// An upload is received and checked before answering, so bad input gets a synchronous 400/409; the operation
    /// then reports the fingerprint as LXD's does. An untrusted client may only upload, and only with a live push
    /// token's secret and image name (<c>X-LXD-secret</c>, <c>X-LXD-fingerprint</c>); the token is spent either way.
    /// </summary>
    private async Task CreateAsync(HttpContext context)
    {
        var trusted = context.IsTrusted();
        var secret = context.Request.Headers["X-LXD-secret"].ToString();
        var token = secret.Length > 0 ? secrets.RedeemPush(context.Request.Headers["X-LXD-fingerprint"].ToString(), secret) : null;
        var json = context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        if (!trusted && (token is null || json))
        {
            throw new ApiException(403, "not authorized");
        }

        var project = token?.Project ?? context.Request.Project();
        if (json)
        {
            var post = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ImagesPost).ConfigureAwait(false);
            if (post.Source?.Mode == "push")
            {
                await ApiResults.AsyncAsync(context, secrets.CreatePush(project, post)).ConfigureAwait(false);
                return;
            }

            if (post.Source?.Type is "instance" or "container" or "snapshot")
            {
                var (instance, _) = publisher.Validate(project, post);
                var publishedBy = context.Requestor();
                var publish = operations.Start("Downloading image", new() { ["images"] = [], ["instances"] = [InstanceService.Url(instance)] },
                    op => publisher.PublishAsync(project, post, op, publishedBy));
                await ApiResults.AsyncAsync(context, publish).ConfigureAwait(false);
                return;
            }

            if (post.Source?.Type is not ("image" or "url"))
            {
                throw new ApiException(post.Source is null ? 400 : 501, post.Source is null
                    ? "Missing image source"
                    : $"Creating images from source type \"{post.Source.Type}\" is not supported by this berthd yet");
            }

            ImagePuller.Validate(post.Source);
            var requestor = context.Requestor();
            var pull = operations.Start("Downloading image", new() { ["images"] = [] }, op => puller.PullAsync(post, op, requestor));
            await ApiResults.AsyncAsync(context, pull).ConfigureAwait(false);
            return;
        }

        var upload = await ImageUploadReader.ReadAsync(context.Request, images, context.RequestAborted).ConfigureAwait(false);
        if (token is not null)
        {
            // What the push token asked for (LXD keeps it in the token's metadata).
            var properties = new Dictionary<string, string>(upload.Properties, StringComparer.Ordinal);
            foreach (var (key, value) in token.Request.Properties ?? [])
            {
                properties[key] = value;
            }

            upload = upload with
            {
                Public = token.Request.Public,
                Properties = properties,
                ExpiresAt = token.Request.ExpiresAt,
                ExpectedFingerprint = ImageSecrets.ExpectedFingerprint(token.Name),
            };
        }

        var image = await images.ImportAsync(upload, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        var metadata = new Dictionary<string, JsonElement>
        {
            ["fingerprint"] = JsonSerializer.SerializeToElement(image.Fingerprint, ApiJsonContext.Wire.String),
            ["size"] = JsonSerializer.SerializeToElement(image.Size, ApiJsonContext.Wire.Int64),
        };
        if (token is not null)
        {
            foreach (var alias in token.Request.Aliases ?? [])
            {
                try
                {
                    await aliases.CreateAsync(project, new ImageAliasesPost { Name = alias.Name, Description = alias.Description, Target = image.Fingerprint }, context.Requestor(), context.RequestAborted).ConfigureAwait(false);
                }
                catch (ApiException e) when (e.Status == 409)
                {
                    // An alias already there is left as it is; lxc re-points the ones it was asked for afterwards.
                }
            }

            // As LXD's: the pushing server, untrusted here, waits for this operation with this secret.
            metadata["secret"] = JsonSerializer.SerializeToElement(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), ApiJsonContext.Wire.String);
        }

        var operation = operations.Start("Downloading image", new() { ["images"] = [ImageService.Url(image.Fingerprint)] }, _ => Task.CompletedTask, metadata: metadata, project: project);
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    private Task GetAsync(HttpContext context)
    {
        var image = images.Get(context.Request.Project(), Fingerprint(context));
        context.RequireMaySee(image, secrets);
        return ApiResults.SyncAsync(context, image, ApiJsonContext.Wire.Image, ImageService.ETagOf(image));
    }

    private async Task PutAsync(HttpContext context)
    {
        context.RequireTrusted();
        var put = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ImagePut).ConfigureAwait(false);
        await images.UpdateAsync(context.Request.Project(), Fingerprint(context), put, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        context.RequireTrusted();
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        await images.PatchAsync(context.Request.Project(), Fingerprint(context), patch, context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    /// <summary>Asynchronous as in LXD; an unknown image is a synchronous 404.</summary>
    private async Task DeleteAsync(HttpContext context)
    {
        context.RequireTrusted();
        var project = context.Request.Project();
        var image = images.Get(project, Fingerprint(context));
        var requestor = context.Requestor();
        var operation = operations.Start("Deleting image", new() { ["images"] = [ImageService.Url(image.Fingerprint)] },
            op => images.DeleteAsync(project, image.Fingerprint, requestor, op.CancellationToken));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>The stored bytes: one file for a unified image, multipart metadata + rootfs for a split one.</summary>
    private async Task ExportAsync(HttpContext context)
    {
        var image = images.Get(context.Request.Project(), Fingerprint(context));
        context.RequireMaySee(image, secrets, spendSecret: true);
        var metadataPath = images.FilePath(image.Fingerprint);
        var rootfsPath = images.RootfsPath(image.Fingerprint);
        var response = context.Response;
        if (!File.Exists(rootfsPath))
        {
            response.ContentType = "application/octet-stream";
            response.Headers.ContentDisposition = $"attachment; filename={image.Fingerprint}{TarExtension(metadataPath)}";
            response.ContentLength = new FileInfo(metadataPath).Length;
            await response.SendFileAsync(metadataPath, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var boundary = Guid.NewGuid().ToString("N");
        response.ContentType = "multipart/form-data; boundary=" + boundary;
        await WritePartAsync(response, boundary, "metadata", $"meta-{image.Fingerprint}{TarExtension(metadataPath)}", metadataPath, context.RequestAborted).ConfigureAwait(false);
        await WritePartAsync(response, boundary, "rootfs", image.Fingerprint + RootfsExtension(rootfsPath), rootfsPath, context.RequestAborted).ConfigureAwait(false);
        await response.WriteAsync($"--{boundary}--\r\n", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// LXD's push copy, source side (<c>images_push_relay</c>): this server uploads the image to the target with the
    /// target's push secret. The name is the one the client used: a fingerprint, or for a public image lxc 5.0.2's
    /// alias, resolved here.
    /// </summary>
    private async Task PushAsync(HttpContext context)
    {
        context.RequireTrusted();
        var project = context.Request.Project();
        var name = Fingerprint(context);
        var image = FindByNameOrAlias(project, name);
        var request = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ImageExportPost).ConfigureAwait(false);
        LxdImagePusher.Validate(request);
        var rootfs = images.RootfsPath(image.Fingerprint);
        var operation = operations.Start("Downloading image", new() { ["images"] = [ImageService.Url(image.Fingerprint)] },
            op => pusher.PushAsync(name, image.Filename, images.FilePath(image.Fingerprint), File.Exists(rootfs) ? rootfs : null, request, op.CancellationToken),
            project: project);
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>A full fingerprint, else an alias, else a unique fingerprint prefix.</summary>
    private Image FindByNameOrAlias(string project, string name)
    {
        if (name.Length != 64)
        {
            try
            {
                return images.Get(project, aliases.Get(project, name).Target);
            }
            catch (ApiException e) when (e.Status == 404)
            {
            }
        }

        return images.Get(project, name);
    }

    /// <summary>Re-pulls the image from its recorded source; the operation says whether it changed.</summary>
    private async Task RefreshAsync(HttpContext context)
    {
        context.RequireTrusted();
        var project = context.Request.Project();
        var image = images.Get(project, Fingerprint(context));
        var requestor = context.Requestor();
        var operation = operations.Start("Refreshing image", new() { ["images"] = [ImageService.Url(image.Fingerprint)] },
            op => puller.RefreshAsync(project, image.Fingerprint, op, requestor));
        await ApiResults.AsyncAsync(context, operation).ConfigureAwait(false);
    }

    /// <summary>A token operation whose metadata holds a one-use secret for an untrusted client to fetch this image.</summary>
    private async Task SecretAsync(HttpContext context)
    {
        context.RequireTrusted();
        var project = context.Request.Project();
        var image = images.Get(project, Fingerprint(context));
        await ApiResults.AsyncAsync(context, secrets.Create(project, image.Fingerprint)).ConfigureAwait(false);
    }

    private static async Task WritePartAsync(HttpResponse response, string boundary, string name, string filename, string path, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n", cancellationToken).ConfigureAwait(false);
        await response.SendFileAsync(path, cancellationToken).ConfigureAwait(false);
        await response.WriteAsync("\r\n", cancellationToken).ConfigureAwait(false);
    }

    private static string TarExtension(string path) => Compression.Detect(path) switch
    {
        FileKind.Gzip => ".tar.gz",
        FileKind.Xz => ".tar.xz",
        FileKind.Bzip2 => ".tar.bz2",
        FileKind.Zstd => ".tar.zst",
        FileKind.Lzma => ".tar.lzma",
        _ => ".tar",
    };

    private static string RootfsExtension(string path) => Compression.Detect(path) switch
    {
        FileKind.Squashfs => ".squashfs",
        FileKind.Qcow2 => ".qcow2",
        _ => TarExtension(path),
    };

    /// <summary>A private image does not exist for an untrusted caller, as in LXD.</summary>
    private static string Fingerprint(HttpContext context) => (string)context.Request.RouteValues["fingerprint"]!;
}
