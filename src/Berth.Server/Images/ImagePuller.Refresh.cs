using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Operations;

namespace Berth.Server.Images;

public sealed partial class ImagePuller
{
    /// <summary>
    /// <c>POST /1.0/images/&lt;fp&gt;/refresh</c> and auto-update: asks the recorded source for its current image; a new
    /// one is fetched and takes over the old one's aliases, and the old one is removed. Sets <c>refreshed</c> in the
    /// operation's metadata as LXD does. Returns the image now in place.
    /// </summary>
    public async Task<Image> RefreshAsync(string project, string fingerprint, IOperationContext operation, EventLifecycleRequestor? requestor)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var current = images.Get(project, fingerprint);
        var source = current.UpdateSource;
        if (source is null || source.Server.Length == 0)
        {
            throw new ApiException(400, $"Image {current.Fingerprint[..12]} has no update source (it was not copied from a remote by alias)");
        }

        var located = await LocateAsync(new ImagesPostSource
        {
            Type = "image",
            Server = source.Server,
            Protocol = source.Protocol,
            Alias = source.Alias,
            Certificate = source.Certificate,
            ImageType = source.ImageType,
        }, operation.CancellationToken).ConfigureAwait(false);
        if (located.Fingerprint == current.Fingerprint)
        {
            operation.SetMetadata("refreshed", JsonSerializer.SerializeToElement(false, ApiJsonContext.Wire.Boolean));
            return current;
        }

        var fresh = images.List(project).FirstOrDefault(i => i.Fingerprint == located.Fingerprint);
        if (fresh is null)
        {
            var upload = await located.DownloadAsync(p => Report(operation, p), operation.CancellationToken).ConfigureAwait(false);
            upload = upload with { Public = current.Public, Cached = current.Cached, AutoUpdate = current.AutoUpdate, UpdateSource = source };
            fresh = await images.ImportAsync(upload, requestor, operation.CancellationToken).ConfigureAwait(false);
        }

        await images.ReplaceAsync(project, current.Fingerprint, fresh.Fingerprint, requestor, operation.CancellationToken).ConfigureAwait(false);
        operation.SetMetadata("refreshed", JsonSerializer.SerializeToElement(true, ApiJsonContext.Wire.Boolean));
        operation.SetMetadata("fingerprint", JsonSerializer.SerializeToElement(fresh.Fingerprint, ApiJsonContext.Wire.String));
        return fresh;
    }
}
