using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Events;

namespace Berth.Server.Images;

/// <summary>Image aliases: unique names per project pointing at an image's full fingerprint.</summary>
public sealed class ImageAliasService
{
    private readonly IStateStore _store;
    private readonly EventHub _events;

    public ImageAliasService(IStateStore store, EventHub events)
    {
        _store = store;
        _events = events;
    }

    public static string Url(string name) => "/1.0/images/aliases/" + Uri.EscapeDataString(name);

    public IReadOnlyList<ImageAliasesEntry> List(string project) =>
        [.. _store.Snapshot().ListJson(Prefix(project), ApiJsonContext.Wire.ImageAliasesEntry).Select(a => a.Value)];

    public ImageAliasesEntry Get(string project, string name) =>
        _store.Snapshot().GetJson(Key(project, name), ApiJsonContext.Wire.ImageAliasesEntry)
            ?? throw new ApiException(404, "Image alias not found");

    public async Task CreateAsync(string project, ImageAliasesPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateName(request.Name);
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, request.Name)) is not null)
            {
                throw new ApiException(409, $"Alias \"{request.Name}\" already exists");
            }

            var target = Target(tx, request.Target);
            tx.PutJson(Key(project, request.Name), new ImageAliasesEntry
            {
                Name = request.Name,
                Description = request.Description ?? "",
                Target = target.Fingerprint,
                Type = target.Type,
            }, ApiJsonContext.Wire.ImageAliasesEntry);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("image-alias-created", Url(request.Name), requestor: requestor, project: project);
    }

    public Task ReplaceAsync(string project, string name, ImageAliasesEntryPut put, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        ChangeAsync(project, name, (tx, current) =>
        {
            var target = Target(tx, put.Target);
            return current with { Description = put.Description ?? "", Target = target.Fingerprint, Type = target.Type };
        }, requestor, cancellationToken);

    public Task PatchAsync(string project, string name, JsonElement patch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        ChangeAsync(project, name, (tx, current) =>
        {
            var put = patch.Deserialize(ApiJsonContext.Wire.ImageAliasesEntryPut) ?? new ImageAliasesEntryPut();
            var next = current;
            if (patch.TryGetProperty("target", out _))
            {
                var target = Target(tx, put.Target);
                next = next with { Target = target.Fingerprint, Type = target.Type };
            }

            return patch.TryGetProperty("description", out _) ? next with { Description = put.Description ?? "" } : next;
        }, requestor, cancellationToken);

    public async Task RenameAsync(string project, string name, string newName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ValidateName(newName);
        await _store.TransactionAsync(tx =>
        {
            var current = tx.GetJson(Key(project, name), ApiJsonContext.Wire.ImageAliasesEntry) ?? throw new ApiException(404, "Image alias not found");
            if (tx.Get(Key(project, newName)) is not null)
            {
                throw new ApiException(409, $"Alias \"{newName}\" already exists");
            }

            tx.Delete(Key(project, name));
            tx.PutJson(Key(project, newName), current with { Name = newName }, ApiJsonContext.Wire.ImageAliasesEntry);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("image-alias-renamed", Url(newName), requestor: requestor, project: project);
    }

    public async Task DeleteAsync(string project, string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        await _store.TransactionAsync(tx => tx.Delete(Key(project, name)) ? true : throw new ApiException(404, "Image alias not found"), cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("image-alias-deleted", Url(name), requestor: requestor, project: project);
    }

    internal static ILookup<string, ImageAliasesEntry> ByTarget(IStateReader reader, string project) =>
        reader.ListJson(Prefix(project), ApiJsonContext.Wire.ImageAliasesEntry).Select(a => a.Value).ToLookup(a => a.Target, StringComparer.Ordinal);

    internal static void DeleteTargeting(IStateTransaction tx, string project, string fingerprint)
    {
        foreach (var (key, alias) in tx.ListJson(Prefix(project), ApiJsonContext.Wire.ImageAliasesEntry).ToList())
        {
            if (alias.Target == fingerprint)
            {
                tx.Delete(key);
            }
        }
    }

    /// <summary>Removes the aliases pointing at the image in every project (an image found corrupt after its import).</summary>
    internal static void DeleteTargetingInAllProjects(IStateTransaction tx, string fingerprint)
    {
        foreach (var entry in tx.List("projects/").Where(e => e.Key.Contains("/image-aliases/", StringComparison.Ordinal)).ToList())
        {
            if (JsonSerializer.Deserialize(entry.Value, ApiJsonContext.Wire.ImageAliasesEntry)?.Target == fingerprint)
            {
                tx.Delete(entry.Key);
            }
        }
    }

    internal static void MoveTargeting(IStateTransaction tx, string project, string from, string to, string type)
    {
        foreach (var (key, alias) in tx.ListJson(Prefix(project), ApiJsonContext.Wire.ImageAliasesEntry).ToList())
        {
            if (alias.Target == from)
            {
                tx.PutJson(key, alias with { Target = to, Type = type }, ApiJsonContext.Wire.ImageAliasesEntry);
            }
        }
    }

    private static Image Target(IStateReader reader, string target)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw new ApiException(400, "The alias target is missing");
        }

        return reader.GetJson("images/" + ImageService.Resolve(reader, target), ApiJsonContext.Wire.Image)!;
    }

    private async Task ChangeAsync(string project, string name, Func<IStateTransaction, ImageAliasesEntry, ImageAliasesEntry> change, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        await _store.TransactionAsync(tx =>
        {
            var current = tx.GetJson(Key(project, name), ApiJsonContext.Wire.ImageAliasesEntry) ?? throw new ApiException(404, "Image alias not found");
            tx.PutJson(Key(project, name), change(tx, current), ApiJsonContext.Wire.ImageAliasesEntry);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("image-alias-updated", Url(name), requestor: requestor, project: project);
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ApiException(400, "Alias name missing");
        }

        if (name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace) || name.Any(char.IsControl))
        {
            throw new ApiException(400, $"Invalid alias name \"{name}\"");
        }
    }

    private static string Prefix(string project) => $"projects/{project}/image-aliases/";

    private static string Key(string project, string name) => Prefix(project) + name;
}
