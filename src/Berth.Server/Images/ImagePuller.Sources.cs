using System.Runtime.InteropServices;
using Berth.Api;
using Berth.Server.Images.SimpleStreams;

namespace Berth.Server.Images;

/// <summary>A remote image found but not fetched yet: its fingerprint, how to fetch it, and what to record for updates.</summary>
internal sealed record LocatedImage(string Fingerprint, Func<Action<DownloadProgress>, CancellationToken, Task<ImageUpload>> DownloadAsync, ImageSource? UpdateSource);

public sealed partial class ImagePuller
{
    private async Task<LocatedImage> LocateAsync(ImagesPostSource source, CancellationToken cancellationToken)
    {
        Validate(source);
        if (source.Type == "url")
        {
            return await LocateUrlAsync(ParseServer(source.Url, "URL"), cancellationToken).ConfigureAwait(false);
        }

        var server = ParseServer(source.Server, "image server");
        var wanted = source.Alias.Length > 0 ? source.Alias : source.Fingerprint;
        string fingerprint;
        Func<Action<DownloadProgress>, CancellationToken, Task<ImageUpload>> download;
        if (source.Protocol == "simplestreams")
        {
            var remote = await simpleStreams.FindAsync(server, wanted, cancellationToken).ConfigureAwait(false);
            fingerprint = remote.Fingerprint;
            download = (progress, ct) => downloader.DownloadAsync(remote, progress, ct);
        }
        else
        {
            var remote = await lxd.FindAsync(server, wanted, source.Certificate, source.Secret, source.Project, cancellationToken).ConfigureAwait(false);
            fingerprint = remote.Fingerprint;
            download = (progress, ct) => lxd.DownloadAsync(remote, progress, ct);
        }

        // As LXD: asked by something other than the fingerprint (an alias; lxc image copy sends a public image's
        // alias in the fingerprint field), the source is recorded so refresh and auto-update can follow it.
        var byName = !fingerprint.StartsWith(wanted, StringComparison.OrdinalIgnoreCase);
        var updateSource = byName
            ? new ImageSource { Alias = wanted, Certificate = source.Certificate, Protocol = source.Protocol.Length > 0 ? source.Protocol : "lxd", Server = source.Server, ImageType = source.ImageType }
            : null;
        return new LocatedImage(fingerprint, download, updateSource);
    }

    /// <summary>
    /// LXD's URL source: a HEAD on the URL answers with <c>LXD-Image-Hash</c> (the unified image's sha256) and
    /// <c>LXD-Image-URL</c> (where to download it from).
    /// </summary>
    private async Task<LocatedImage> LocateUrlAsync(Uri url, CancellationToken cancellationToken)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        head.Headers.TryAddWithoutValidation("LXD-Server-Architectures", HostArchitecture());
        head.Headers.TryAddWithoutValidation("LXD-Server-Version", "5.0.2");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(400, $"Failed to reach {url}: {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(400, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var hash = Header(response, "LXD-Image-Hash") ?? throw new ApiException(400, "Missing LXD-Image-Hash header");
            var target = Header(response, "LXD-Image-URL") ?? throw new ApiException(400, "Missing LXD-Image-URL header");
            hash = hash.Trim().ToLowerInvariant();
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                throw new ApiException(400, $"Invalid LXD-Image-Hash header \"{hash}\"");
            }

            if (!Uri.TryCreate(url, target.Trim(), out var download) || download.Scheme is not ("http" or "https"))
            {
                throw new ApiException(400, $"Invalid LXD-Image-URL header \"{target}\"");
            }

            var file = new RemoteImageFile(download, hash, 0);
            var remote = new RemoteImage(hash, "", "container", [], [], file, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
            return new LocatedImage(hash, (progress, ct) => downloader.DownloadAsync(remote, progress, ct), null);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault(v => v.Length > 0)
            : null;

    private static string HostArchitecture() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.Arm64 => "aarch64",
        Architecture.X86 => "i686",
        Architecture.Arm => "armv7l",
        Architecture.Ppc64le => "ppc64le",
        Architecture.S390x => "s390x",
        Architecture.RiscV64 => "riscv64",
        _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
    };
}
