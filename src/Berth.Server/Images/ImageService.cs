using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Util;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Server.Images;

/// <summary>A received upload, already on disk under the images dir and hashed on the way in.</summary>
public sealed record ImageUpload(
    string MetadataPath,
    string? RootfsPath,
    string Fingerprint,
    long Size,
    string Filename,
    bool Public,
    Dictionary<string, string> Properties,
    string? ExpectedFingerprint)
{
    /// <summary>Pulled from a remote rather than uploaded (subject to images.remote_cache_expiry).</summary>
    public bool Cached { get; init; }

    public bool AutoUpdate { get; init; }

    /// <summary>Where to look for newer versions (set for images pulled by alias).</summary>
    public ImageSource? UpdateSource { get; init; }

    /// <summary>
    /// An expiry given with the upload (a push token's, a publish's); else the metadata's <c>expiry_date</c>.
    /// <see cref="DateTimeOffset.MinValue"/> is "none" as LXD's publish records it (0001-01-01, where an imported
    /// image without <c>expiry_date</c> shows 1970-01-01).
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>
/// The image store: files kept byte-exact as <c>images/&lt;fp&gt;</c> (+ <c>&lt;fp&gt;.rootfs</c> for split images)
/// and one record per image in the state store. Aliases live in <see cref="ImageAliasService"/>.
/// </summary>
public sealed partial class ImageService
{
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ImageVerifier _verifier;

    public ImageService(IStateStore store, EventHub events, TimeProvider time, ImageStoreOptions options, ILogger<ImageService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _events = events;
        _time = time;
        _logger = logger ?? NullLogger<ImageService>.Instance;
        _verifier = new ImageVerifier(RemoveCorruptAsync);
        Dir = options.Dir;
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var stale in Directory.EnumerateFiles(Dir, ".upload-*"))
        {
            File.Delete(stale); // an upload cut off by a crash
        }
    }

    public string Dir { get; }

    public static string Url(string fingerprint) => "/1.0/images/" + fingerprint;

    public static string ETagOf(ImagePut image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ETag.Compute(w =>
        {
            w.WriteBooleanValue(image.Public);
            w.WriteBooleanValue(image.AutoUpdate);
            JsonSerializer.Serialize(w, image.Properties, ApiJsonContext.Wire.DictionaryStringString);
        });
    }

    /// <summary>A path for an incoming file; removed at start if a crash left it behind.</summary>
    public string NewUploadPath() => Path.Combine(Dir, ".upload-" + Guid.NewGuid().ToString("N"));

    public string FilePath(string fingerprint) => Path.Combine(Dir, fingerprint);

    public string RootfsPath(string fingerprint) => Path.Combine(Dir, fingerprint + ".rootfs");

    public IReadOnlyList<Image> List(string project, bool publicOnly = false)
    {
        var snapshot = _store.Snapshot();
        var aliases = ImageAliasService.ByTarget(snapshot, project);
        return [.. snapshot.ListJson(Prefix, ApiJsonContext.Wire.Image)
            .Select(i => WithAliases(i.Value, aliases))
            .Where(i => !publicOnly || i.Public)];
    }

    /// <summary>Finds an image by full or unique partial fingerprint.</summary>
    public Image Get(string project, string fingerprint)
    {
        var snapshot = _store.Snapshot();
        var image = snapshot.GetJson(Key(Resolve(snapshot, fingerprint)), ApiJsonContext.Wire.Image)!;
        return WithAliases(image, ImageAliasService.ByTarget(snapshot, project));
    }

    /// <summary>Validates the upload, moves it into place and records it; on any failure nothing is left behind.</summary>
    public async Task<Image> ImportAsync(ImageUpload upload, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        using var revert = new Reverter();
        revert.Add(() => File.Delete(upload.MetadataPath));
        if (upload.RootfsPath is not null)
        {
            revert.Add(() => File.Delete(upload.RootfsPath));
        }

        if (upload.ExpectedFingerprint is { Length: > 0 } expected && !expected.Equals(upload.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(400, $"Fingerprint mismatch: the upload's sha256 is {upload.Fingerprint}, not {expected}");
        }

        var contents = ImageArchive.Inspect(upload.MetadataPath, upload.RootfsPath);
        if (_store.Snapshot().Get(Key(upload.Fingerprint)) is not null)
        {
            throw new ApiException(409, "Image with same fingerprint already exists");
        }

        var properties = new Dictionary<string, string>(contents.Metadata.Properties ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in upload.Properties)
        {
            properties[key] = value;
        }

        var now = _time.GetUtcNow();
        var image = new Image
        {
            Fingerprint = upload.Fingerprint,
            Filename = upload.Filename,
            Size = upload.Size,
            Architecture = contents.Metadata.Architecture,
            Type = contents.Type,
            Public = upload.Public,
            Cached = upload.Cached,
            AutoUpdate = upload.AutoUpdate,
            UpdateSource = upload.UpdateSource,
            Properties = properties,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(contents.Metadata.CreationDate),
            ExpiresAt = upload.ExpiresAt switch
            {
                { } expires when expires > DateTimeOffset.UnixEpoch => expires,
                { } never when never == DateTimeOffset.MinValue => never,
                _ => contents.Metadata.ExpiryDate > 0 ? DateTimeOffset.FromUnixTimeSeconds(contents.Metadata.ExpiryDate) : DateTimeOffset.UnixEpoch,
            },
            UploadedAt = now,
            LastUsedAt = DateTimeOffset.MinValue,
        };

        File.Move(upload.MetadataPath, FilePath(upload.Fingerprint));
        revert.Add(() => File.Delete(FilePath(upload.Fingerprint)));
        if (upload.RootfsPath is not null)
        {
            File.Move(upload.RootfsPath, RootfsPath(upload.Fingerprint));
            revert.Add(() => File.Delete(RootfsPath(upload.Fingerprint)));
        }

        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(upload.Fingerprint)) is not null)
            {
                throw new ApiException(409, "Image with same fingerprint already exists");
            }

            tx.PutJson(Key(upload.Fingerprint), image, ApiJsonContext.Wire.Image);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("image-created", Url(image.Fingerprint), requestor: requestor);
        if (!contents.Complete)
        {
            _verifier.Start(upload.Fingerprint, FilePath(upload.Fingerprint), upload.RootfsPath is null ? null : RootfsPath(upload.Fingerprint));
        }

        return image;
    }

    /// <summary>Completes when the check of every byte that follows an import is over (see <see cref="ImageVerifier"/>).</summary>
    public Task VerifiedAsync(string fingerprint) => _verifier.WaitAsync(fingerprint);

    /// <summary>PUT: replaces the writable fields.</summary>
    public Task UpdateAsync(string project, string fingerprint, ImagePut put, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        ChangeAsync(fingerprint, current => current with
        {
            AutoUpdate = put.AutoUpdate,
            Properties = put.Properties ?? [],
            Public = put.Public,
            ExpiresAt = put.ExpiresAt,
            Profiles = put.Profiles ?? ["default"],
        }, ifMatch, requestor, cancellationToken);

    /// <summary>PATCH: only the fields present change; properties are merged.</summary>
    public Task PatchAsync(string project, string fingerprint, JsonElement patch, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        ChangeAsync(fingerprint, current =>
        {
            var put = patch.Deserialize(ApiJsonContext.Wire.ImagePut) ?? new ImagePut();
            var properties = new Dictionary<string, string>(current.Properties, StringComparer.Ordinal);
            foreach (var (key, value) in put.Properties ?? [])
            {
                properties[key] = value;
            }

            return current with
            {
                AutoUpdate = patch.TryGetProperty("auto_update", out _) ? put.AutoUpdate : current.AutoUpdate,
                Public = patch.TryGetProperty("public", out _) ? put.Public : current.Public,
                ExpiresAt = patch.TryGetProperty("expires_at", out _) ? put.ExpiresAt : current.ExpiresAt,
                Profiles = patch.TryGetProperty("profiles", out _) ? put.Profiles ?? [] : current.Profiles,
                Properties = properties,
            };
        }, ifMatch, requestor, cancellationToken);

    /// <summary>Removes the record and the aliases pointing at it, then the files.</summary>
    public async Task DeleteAsync(string project, string fingerprint, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var full = await _store.TransactionAsync(tx =>
        {
            var fp = Resolve(tx, fingerprint);
            tx.Delete(Key(fp));
            ImageAliasService.DeleteTargeting(tx, project, fp);
            return fp;
        }, cancellationToken).ConfigureAwait(false);
        DeleteFiles(full);
        _events.PublishLifecycle("image-deleted", Url(full), requestor: requestor);
    }

    /// <summary>An image's files once its record is gone; a check still reading them is stopped first.</summary>
    private void DeleteFiles(string fingerprint)
    {
        _verifier.Cancel(fingerprint);
        File.Delete(FilePath(fingerprint));
        File.Delete(RootfsPath(fingerprint));
    }

    /// <summary>An image whose archive turned out corrupt after its import: removed with its aliases, and logged.</summary>
    private async Task RemoveCorruptAsync(string fingerprint, string reason)
    {
        try
        {
            await _store.TransactionAsync(tx =>
            {
                tx.Delete(Key(fingerprint));
                ImageAliasService.DeleteTargetingInAllProjects(tx, fingerprint);
                return true;
            }, CancellationToken.None).ConfigureAwait(false);
            DeleteFiles(fingerprint);
            RemovedCorrupt(_logger, fingerprint, reason);
            _events.PublishLifecycle("image-deleted", Url(fingerprint));
        }
        catch (Exception e) when (e is ApiException or IOException or InvalidOperationException)
        {
            RemoveFailed(_logger, fingerprint, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Image {Fingerprint} removed after its import: {Reason}")]
    private static partial void RemovedCorrupt(ILogger logger, string fingerprint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Image {Fingerprint} is corrupt and could not be removed: {Reason}")]
    private static partial void RemoveFailed(ILogger logger, string fingerprint, string reason);

    internal static string Resolve(IStateReader reader, string fingerprint)
    {
        if (fingerprint.Length == 0 || fingerprint.Length > 64 || !fingerprint.All(char.IsAsciiHexDigit))
        {
            throw new ApiException(404, "Image not found");
        }

        var matches = reader.List(Key(fingerprint.ToLowerInvariant()));
        return matches.Count switch
        {
            0 => throw new ApiException(404, "Image not found"),
            1 => matches[0].Key[Prefix.Length..],
            _ => throw new ApiException(400, $"Partial fingerprint \"{fingerprint}\" matches more than one image"),
        };
    }

    private async Task ChangeAsync(string fingerprint, Func<Image, Image> change, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var full = await _store.TransactionAsync(tx =>
        {
            var fp = Resolve(tx, fingerprint);
            var current = tx.GetJson(Key(fp), ApiJsonContext.Wire.Image)!;
            ETag.Check(ifMatch, ETagOf(current));
            tx.PutJson(Key(fp), change(current) with { Aliases = [] }, ApiJsonContext.Wire.Image);
            return fp;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("image-updated", Url(full), requestor: requestor);
    }

    private static Image WithAliases(Image image, ILookup<string, ImageAliasesEntry> aliases) =>
        image with { Aliases = [.. aliases[image.Fingerprint].Select(a => new ImageAlias { Name = a.Name, Description = a.Description })] };

    private const string Prefix = "images/";

    private static string Key(string fingerprint) => Prefix + fingerprint;
}

/// <summary>Where image files live.</summary>
public sealed class ImageStoreOptions
{
    public required string Dir { get; init; }
}
