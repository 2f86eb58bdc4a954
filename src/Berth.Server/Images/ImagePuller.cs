using System.Globalization;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Images.SimpleStreams;
using Berth.Server.Operations;

namespace Berth.Server.Images;

/// <summary>
/// <c>POST /1.0/images</c> from a remote image server: finds the image, downloads it with progress in the operation's
/// metadata, imports it and adds the requested aliases. An image already present is reused.
/// </summary>
public sealed class ImagePuller(SimpleStreamsClient simpleStreams, ImageDownloader downloader, ImageService images, ImageAliasService aliases)
{
    public async Task<Image> PullAsync(ImagesPost request, IOperationContext operation, EventLifecycleRequestor? requestor)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(operation);
        var source = request.Source ?? throw new ApiException(400, "Missing image source");
        var server = ParseServer(source.Server);
        var wanted = source.Alias.Length > 0 ? source.Alias : source.Fingerprint;
        if (wanted.Length == 0)
        {
            throw new ApiException(400, "The image source needs an alias or a fingerprint");
        }

        var remote = source.Protocol switch
        {
            "simplestreams" => await simpleStreams.FindAsync(server, wanted, operation.CancellationToken).ConfigureAwait(false),
            "lxd" or "" => throw new ApiException(501, "Pulling over the LXD protocol needs HTTPS remotes, which this berthd does not support yet; use --protocol simplestreams"),
            _ => throw new ApiException(400, $"Unknown image protocol \"{source.Protocol}\""),
        };

        Image image;
        if (images.List("default").FirstOrDefault(i => i.Fingerprint == remote.Fingerprint) is { } existing)
        {
            image = existing;
        }
        else
        {
            var upload = await downloader.DownloadAsync(remote, p => Report(operation, p), operation.CancellationToken).ConfigureAwait(false);
            upload = new ImageUpload(upload.MetadataPath, upload.RootfsPath, upload.Fingerprint, upload.Size, upload.Filename, request.Public, Merge(upload.Properties, request.Properties), upload.ExpectedFingerprint)
            {
                Cached = false,
                AutoUpdate = request.AutoUpdate,
                UpdateSource = source.Alias.Length > 0
                    ? new ImageSource { Alias = source.Alias, Certificate = source.Certificate, Protocol = source.Protocol, Server = source.Server, ImageType = source.ImageType }
                    : null,
            };
            image = await images.ImportAsync(upload, requestor, operation.CancellationToken).ConfigureAwait(false);
        }

        foreach (var alias in request.Aliases ?? [])
        {
            await aliases.CreateAsync("default", new ImageAliasesPost { Name = alias.Name, Description = alias.Description, Target = image.Fingerprint }, requestor, operation.CancellationToken).ConfigureAwait(false);
        }

        operation.SetMetadata("fingerprint", JsonSerializer.SerializeToElement(image.Fingerprint, ApiJsonContext.Wire.String));
        operation.SetMetadata("size", JsonSerializer.SerializeToElement(image.Size, ApiJsonContext.Wire.Int64));
        return image;
    }

    private static Uri ParseServer(string server)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ApiException(400, $"Invalid image server \"{server}\"");
        }

        return uri;
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> a, Dictionary<string, string>? b)
    {
        var merged = new Dictionary<string, string>(a, StringComparer.Ordinal);
        foreach (var (key, value) in b ?? [])
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>LXD's progress shape: a human line and a structured <c>progress</c> object.</summary>
    private static void Report(IOperationContext operation, DownloadProgress progress)
    {
        var speed = progress.BytesPerSecond / 1_000_000.0;
        operation.SetMetadata("download_progress", JsonSerializer.SerializeToElement(
            $"{progress.Stage}: {progress.Percent}% ({speed.ToString("0.00", CultureInfo.InvariantCulture)}MB/s)", ApiJsonContext.Wire.String));
        operation.SetMetadata("progress", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["percent"] = progress.Percent.ToString(CultureInfo.InvariantCulture),
            ["speed"] = progress.BytesPerSecond.ToString(CultureInfo.InvariantCulture),
            ["stage"] = "download_" + progress.Stage,
        }, ApiJsonContext.Wire.DictionaryStringString));
    }
}
