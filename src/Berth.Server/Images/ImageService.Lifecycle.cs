using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Images;

/// <summary>What happens to images over time: use, replacement by a newer version, expiry from the cache.</summary>
public sealed partial class ImageService
{
    /// <summary>Records that an instance was just created from the image (images.remote_cache_expiry counts from here).</summary>
    public async Task MarkUsedAsync(string fingerprint, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _store.TransactionAsync(tx =>
        {
            if (tx.GetJson(Key(fingerprint), ApiJsonContext.Wire.Image) is { } current)
            {
                tx.PutJson(Key(fingerprint), current with { LastUsedAt = now, Aliases = [] }, ApiJsonContext.Wire.Image);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A refreshed image takes the old one's place: its aliases, last use and cache flag move over, then the old
    /// record and files go (LXD's auto-update).
    /// </summary>
    public async Task ReplaceAsync(string project, string oldFingerprint, string newFingerprint, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        await _store.TransactionAsync(tx =>
        {
            var old = tx.GetJson(Key(oldFingerprint), ApiJsonContext.Wire.Image) ?? throw new ApiException(404, "Image not found");
            var fresh = tx.GetJson(Key(newFingerprint), ApiJsonContext.Wire.Image) ?? throw new ApiException(404, "Image not found");
            tx.PutJson(Key(newFingerprint), fresh with { LastUsedAt = old.LastUsedAt, Profiles = old.Profiles, Aliases = [] }, ApiJsonContext.Wire.Image);
            ImageAliasService.MoveTargeting(tx, project, oldFingerprint, newFingerprint, fresh.Type);
            tx.Delete(Key(oldFingerprint));
            return true;
        }, cancellationToken).ConfigureAwait(false);
        DeleteFiles(oldFingerprint);
        _events.PublishLifecycle("image-deleted", Url(oldFingerprint), requestor: requestor);
    }

    /// <summary>Cached images not used for <paramref name="days"/> days (since their last use, or upload if never used).</summary>
    public IReadOnlyList<Image> ExpiredCached(DateTimeOffset now, long days) =>
        [.. List("default").Where(i => i.Cached && LastActivity(i).AddDays(days) <= now)];

    private static DateTimeOffset LastActivity(Image image) =>
        image.LastUsedAt > image.UploadedAt ? image.LastUsedAt : image.UploadedAt;
}
