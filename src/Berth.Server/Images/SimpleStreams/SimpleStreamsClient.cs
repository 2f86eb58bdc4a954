using System.Globalization;
using System.Text.Json;
using Berth.Api;

namespace Berth.Server.Images.SimpleStreams;

/// <summary>
/// Reads a simplestreams server as LXD does: <c>streams/v1/index.json</c>, then each <c>image-downloads</c>
/// products file; turns product versions into images (unified <c>lxd_combined.tar.gz</c>, or <c>lxd.tar.xz</c>
/// with a squashfs or root.tar.xz rootfs and the combined fingerprint).
/// </summary>
public sealed class SimpleStreamsClient(HttpClient http)
{
    public async Task<IReadOnlyList<RemoteImage>> ListAsync(Uri server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var root = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        var index = await GetJsonAsync(new Uri(root, "streams/v1/index.json"), SimpleStreamsJsonContext.Default.StreamsIndex, cancellationToken).ConfigureAwait(false);
        var images = new List<RemoteImage>();
        foreach (var entry in index.Index.Values.Where(e => e.DataType == "image-downloads"))
        {
            var products = await GetJsonAsync(new Uri(root, entry.Path), SimpleStreamsJsonContext.Default.StreamsProducts, cancellationToken).ConfigureAwait(false);
            images.AddRange(ToImages(root, products));
        }

        return images;
    }

    /// <summary>Finds by alias (newest version of the product), full fingerprint or unique prefix.</summary>
    public async Task<RemoteImage> FindAsync(Uri server, string aliasOrFingerprint, CancellationToken cancellationToken)
    {
        var images = await ListAsync(server, cancellationToken).ConfigureAwait(false);
        var byAlias = images.Where(i => i.Aliases.Contains(aliasOrFingerprint, StringComparer.Ordinal)).ToList();
        if (byAlias.Count > 0)
        {
            return byAlias.MaxBy(i => i.CreatedAt)!;
        }

        var byFingerprint = images.Where(i => i.Fingerprint.StartsWith(aliasOrFingerprint, StringComparison.OrdinalIgnoreCase)).DistinctBy(i => i.Fingerprint).ToList();
        return byFingerprint.Count switch
        {
            1 => byFingerprint[0],
            0 => throw new ApiException(404, $"The image \"{aliasOrFingerprint}\" was not found on {server}"),
            _ => throw new ApiException(400, $"\"{aliasOrFingerprint}\" matches more than one image on {server}"),
        };
    }

    internal static List<RemoteImage> ToImages(Uri root, StreamsProducts products)
    {
        var result = new List<RemoteImage>();
        foreach (var product in products.Products.Values)
        {
            var arch = Architectures.Normalise(product.Arch);
            if (arch is null)
            {
                continue;
            }

            var newest = product.Versions.Keys.Where(IsVersion).Order(StringComparer.Ordinal).LastOrDefault();
            foreach (var (version, content) in product.Versions.Where(v => IsVersion(v.Key)))
            {
                var aliases = version == newest
                    ? product.Aliases.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : [];
                var created = DateTime.ParseExact(version[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                var properties = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["os"] = product.Os,
                    ["release"] = product.Release,
                    ["architecture"] = product.Arch,
                    ["variant"] = product.Variant,
                    ["serial"] = version,
                    ["description"] = $"{product.Os} {(product.ReleaseTitle.Length > 0 ? product.ReleaseTitle : product.Release)} {product.Arch} ({version})",
                };
                foreach (var image in ItemsToImages(root, content.Items, arch, properties, aliases, created))
                {
                    result.Add(image);
                }
            }
        }

        return result;
    }

    private static IEnumerable<RemoteImage> ItemsToImages(Uri root, Dictionary<string, StreamsItem> items, string arch, Dictionary<string, string> properties, string[] aliases, DateTimeOffset created)
    {
        foreach (var item in items.Values.Where(i => i.FileType == "lxd_combined.tar.gz"))
        {
            yield return new RemoteImage(item.Sha256, arch, "container", new(properties) { ["type"] = "tar.gz" }, aliases, File(root, item), null, created, DateTimeOffset.UnixEpoch);
        }

        var meta = items.Values.FirstOrDefault(i => i.FileType == "lxd.tar.xz");
        if (meta is null)
        {
            yield break;
        }

        foreach (var rootfs in items.Values)
        {
            var fingerprint = rootfs.FileType switch
            {
                "squashfs" => meta.CombinedSquashfsSha256,
                "root.tar.xz" => meta.CombinedRootxzSha256 ?? meta.CombinedSha256,
                _ => null,
            };
            if (fingerprint is not null)
            {
                yield return new RemoteImage(fingerprint, arch, "container", new(properties) { ["type"] = rootfs.FileType }, aliases, File(root, meta), File(root, rootfs), created, DateTimeOffset.UnixEpoch);
            }
        }
    }

    private static RemoteImageFile File(Uri root, StreamsItem item) => new(new Uri(root, item.Path), item.Sha256, item.Size);

    private static bool IsVersion(string key) => key.Length >= 8 && key[..8].All(char.IsAsciiDigit);

    private async Task<T> GetJsonAsync<T>(Uri url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await http.GetStreamAsync(url, cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                ?? throw new ApiException(400, $"Empty simplestreams document at {url}");
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(400, $"Failed to read {url}: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new ApiException(400, $"Invalid simplestreams document at {url}: {e.Message}");
        }
    }
}
