using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Security;
using Berth.Server.Util;

namespace Berth.Server.Config;

/// <summary>The server's own config (<c>/1.0</c> <c>config</c>): validated key by key, secrets stored hashed.</summary>
public sealed class ServerConfigService
{
    private const string StoreKey = "server/config";
    private readonly IStateStore _store;
    private readonly EventHub _events;

    public ServerConfigService(IStateStore store, EventHub events)
    {
        _store = store;
        _events = events;
    }

    /// <summary>Raised after a committed change, with the stored (hashed) config.</summary>
    public event Action<IReadOnlyDictionary<string, string>>? Changed;

    /// <summary>The stored config, secrets as hashes: for the daemon's own use only.</summary>
    public Dictionary<string, string> Stored() =>
        _store.Snapshot().GetJson(StoreKey, ApiJsonContext.Wire.DictionaryStringString) ?? [];

    /// <summary>What clients see: secrets shown as "true", as LXD does.</summary>
    public Dictionary<string, string> Visible()
    {
        var config = Stored();
        foreach (var key in config.Keys.ToList())
        {
            if (ServerConfigSchema.IsSecret(key))
            {
                config[key] = "true";
            }
        }

        return config;
    }

    public static string ETagOf(Dictionary<string, string> visible) =>
        ETag.Compute(w => JsonSerializer.Serialize(w, visible, ApiJsonContext.Wire.DictionaryStringString));

    /// <summary>PUT semantics: the given map replaces the config.</summary>
    public Task ReplaceAsync(Dictionary<string, string> config, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        UpdateAsync(current => config, ifMatch, requestor, cancellationToken);

    /// <summary>PATCH semantics: given keys are set, empty values unset them, others stay.</summary>
    public Task PatchAsync(Dictionary<string, string> changes, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        UpdateAsync(current =>
        {
            var merged = new Dictionary<string, string>(current, StringComparer.Ordinal);
            foreach (var (key, value) in changes)
            {
                merged[key] = value;
            }

            return merged;
        }, ifMatch, requestor, cancellationToken);

    private async Task UpdateAsync(
        Func<Dictionary<string, string>, Dictionary<string, string>> change,
        string? ifMatch,
        EventLifecycleRequestor? requestor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var updated = await _store.TransactionAsync(tx =>
        {
            var stored = tx.GetJson(StoreKey, ApiJsonContext.Wire.DictionaryStringString) ?? [];
            var visible = new Dictionary<string, string>(stored, StringComparer.Ordinal);
            foreach (var key in stored.Keys.Where(ServerConfigSchema.IsSecret))
            {
                visible[key] = "true";
            }

            ETag.Check(ifMatch, ETagOf(visible));
            var requested = change(visible);
            ServerConfigSchema.Validate(requested);

            var next = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in requested)
            {
                if (value.Length == 0)
                {
                    continue; // an empty value unsets the key
                }

                if (ServerConfigSchema.IsSecret(key))
                {
                    // A client echoing back the rendered "true" keeps the existing secret.
                    next[key] = value == "true" && stored.TryGetValue(key, out var hash) ? hash : PasswordHash.Hash(value);
                }
                else
                {
                    next[key] = value;
                }
            }

            if (next.Count == stored.Count && next.All(kv => stored.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                return null;
            }

            tx.PutJson(StoreKey, next, ApiJsonContext.Wire.DictionaryStringString);
            return next;
        }, cancellationToken).ConfigureAwait(false);

        if (updated is not null)
        {
            Changed?.Invoke(updated);
            _events.PublishLifecycle("config-updated", "/1.0", requestor: requestor);
        }
    }
}
