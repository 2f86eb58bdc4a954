using System.Globalization;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Images.Lxd;
using Berth.Server.Images.SimpleStreams;
using Berth.Server.Operations;

namespace Berth.Server.Images;

/// <summary>
/// <c>POST /1.0/images</c> from elsewhere: a remote image server (simplestreams or LXD) or a URL. Finds the image,
/// downloads it with progress in the operation's metadata, imports it and adds the requested aliases. An image
/// already present is reused.
/// </summary>
public sealed partial class ImagePuller(SimpleStreamsClient simpleStreams, LxdImageClient lxd, ImageDownloader downloader, ImageService images, ImageAliasService aliases, ServerConfigService config, HttpClient http)
{
    /// <summary>
    /// Pulls the image; <paramref name="cached"/> marks an image fetched to create an instance (LXD's cache, kept
    /// up to date when images.auto_update_cached is true).
    /// </summary>
    public async Task<Image> PullAsync(ImagesPost request, IOperationContext operation, EventLifecycleRequestor? requestor, bool cached = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(operation);
        var source = request.Source ?? throw new ApiException(400, "Missing image source");
        var located = await LocateAsync(source, operation.CancellationToken).ConfigureAwait(false);

        Image image;
        if (images.List("default").FirstOrDefault(i => i.Fingerprint == located.Fingerprint) is { } existing)
        {
            image = existing;
        }
        else
        {
            var upload = await located.DownloadAsync(p => Report(operation, p), operation.CancellationToken).ConfigureAwait(false);
            upload = upload with { Public = request.Public, Properties = Merge(upload.Properties, request.Properties) };
            upload = upload with
            {
                Cached = cached,
                AutoUpdate = cached ? config.Stored().GetValueOrDefault("images.auto_update_cached", "true") == "true" : request.AutoUpdate,
                UpdateSource = located.UpdateSource,
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

    /// <summary>Checks what can be checked before answering, so bad input is a synchronous 400.</summary>
    public static void Validate(ImagesPostSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        switch (source.Type)
        {
            case "url":
                ParseServer(source.Url, "URL");
                break;
            case "image":
                ParseServer(source.Server, "image server");
                if (source.Alias.Length == 0 && source.Fingerprint.Length == 0)
                {
                    throw new ApiException(400, "The image source needs an alias or a fingerprint");
                }

                if (source.Protocol is not ("simplestreams" or "lxd" or ""))
                {
                    throw new ApiException(400, $"Unknown image protocol \"{source.Protocol}\"");
                }

                break;
            default:
                throw new ApiException(400, $"Unknown image source type \"{source.Type}\"");
        }
    }

    private static Uri ParseServer(string server, string what)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ApiException(400, $"Invalid {what} \"{server}\"");
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
