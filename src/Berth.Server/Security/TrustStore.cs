using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Util;

namespace Berth.Server.Security;

/// <summary>
/// The trusted client certificates (<c>/1.0/certificates</c>), keyed by fingerprint. Lookups on every HTTPS request
/// hit an in-memory copy that is rebuilt after each change.
/// </summary>
public sealed class TrustStore
{
    private const string Prefix = "certificates/";
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private volatile CachedTrust? _cache;

    public TrustStore(IStateStore store, EventHub events)
    {
        _store = store;
        _events = events;
    }

    public static string Url(string fingerprint) => "/1.0/certificates/" + fingerprint;

    /// <summary>The trusted entry for a client certificate's fingerprint, or null.</summary>
    public Certificate? Find(string fingerprint) => Cache().GetValueOrDefault(fingerprint);

    public IReadOnlyList<Certificate> List() => [.. Cache().Values.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Fingerprint, StringComparer.Ordinal)];

    /// <summary>By full fingerprint or a unique prefix of it, as LXD accepts.</summary>
    public Certificate Get(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var cache = Cache();
        if (cache.TryGetValue(fingerprint, out var exact))
        {
            return exact;
        }

        var matches = fingerprint.Length == 0 ? [] : cache.Values.Where(c => c.Fingerprint.StartsWith(fingerprint, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ApiException(404, "Certificate not found"),
            _ => throw new ApiException(400, "More than one certificate matches"),
        };
    }

    public static string ETagOf(Certificate certificate) =>
        ETag.Compute(w => System.Text.Json.JsonSerializer.Serialize(w, certificate, ApiJsonContext.Wire.Certificate));

    /// <summary>Adds a certificate (DER); 409 when it is already trusted.</summary>
    public async Task<Certificate> AddAsync(byte[] der, CertificatePut put, string fallbackName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(put);
        CheckType(put.Type);
        X509Certificate2 parsed;
        try
        {
            parsed = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new ApiException(400, "Invalid certificate material: " + e.Message);
        }

        using (parsed)
        {
            var name = put.Name.Length > 0 ? put.Name : parsed.GetNameInfo(X509NameType.SimpleName, false) is { Length: > 0 } cn ? cn : fallbackName;
            var entry = new Certificate
            {
                Name = name,
                Type = put.Type,
                Restricted = put.Restricted,
                Projects = put.Projects ?? [],
                Certificate = parsed.ExportCertificatePem() + "\n",
                Fingerprint = CertificateFingerprint.Of(der),
            };
            await _store.TransactionAsync(tx =>
            {
                if (tx.Get(Prefix + entry.Fingerprint) is not null)
                {
                    throw new ApiException(409, "Certificate already in trust store");
                }

                tx.PutJson(Prefix + entry.Fingerprint, entry, ApiJsonContext.Wire.Certificate);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            _events.PublishLifecycle("certificate-created", Url(entry.Fingerprint), requestor: requestor);
            return entry;
        }
    }

    /// <summary>Writes the editable fields (name, type, restricted, projects); the certificate itself is fixed.</summary>
    public async Task UpdateAsync(string fingerprint, Func<Certificate, CertificatePut> change, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = Get(fingerprint);
        ETag.Check(ifMatch, ETagOf(current));
        var put = change(current);
        CheckType(put.Type);
        var updated = current with { Name = put.Name, Type = put.Type, Restricted = put.Restricted, Projects = put.Projects ?? [] };
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Prefix + current.Fingerprint) is null)
            {
                throw new ApiException(404, "Certificate not found");
            }

            tx.PutJson(Prefix + current.Fingerprint, updated, ApiJsonContext.Wire.Certificate);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _cache = null;
        _events.PublishLifecycle("certificate-updated", Url(current.Fingerprint), requestor: requestor);
    }

    public async Task DeleteAsync(string fingerprint, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var current = Get(fingerprint);
        await _store.TransactionAsync(tx => tx.Delete(Prefix + current.Fingerprint), cancellationToken).ConfigureAwait(false);
        _cache = null;
        _events.PublishLifecycle("certificate-deleted", Url(current.Fingerprint), requestor: requestor);
    }

    private static void CheckType(string type)
    {
        if (type is not ("client" or "server" or "metrics"))
        {
            throw new ApiException(400, $"Unknown certificate type \"{type}\"");
        }
    }

    /// <summary>Rebuilt when the store's revision moved, so a change committed anywhere is seen at once.</summary>
    private FrozenDictionary<string, Certificate> Cache()
    {
        var cache = _cache;
        if (cache is null || cache.Revision != _store.Revision)
        {
            var snapshot = _store.Snapshot();
            cache = new CachedTrust(snapshot.Revision, snapshot.ListJson(Prefix, ApiJsonContext.Wire.Certificate)
                .ToFrozenDictionary(kv => kv.Value.Fingerprint, kv => kv.Value, StringComparer.Ordinal));
            _cache = cache;
        }

        return cache.Entries;
    }

    private sealed record CachedTrust(long Revision, FrozenDictionary<string, Certificate> Entries);
}
