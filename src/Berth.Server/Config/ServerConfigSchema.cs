using static Berth.Server.Config.ValueChecks;

namespace Berth.Server.Config;

/// <summary>
/// The server configuration keys of <c>GET/PUT/PATCH /1.0</c> (LXD 5.0 <c>lxd/cluster/config.go</c> and
/// <c>lxd/node/config.go</c>, plus the loki/oidc/instances keys later releases added).
/// </summary>
public static class ServerConfigSchema
{
    private static readonly Dictionary<string, ConfigRule> Keys = new(StringComparer.Ordinal)
    {
        ["acme.agree_tos"] = new(Bool, "false"),
        ["acme.ca_url"] = new(Url, "https://acme-v02.api.letsencrypt.org/directory"),
        ["acme.domain"] = new(v => IsHostName(v) ? null : "expected a domain name"),
        ["acme.email"] = new(v => v.Contains('@') ? null : "expected an email address"),

        ["backups.compression_algorithm"] = new(Compression, "gzip"),

        ["candid.api.key"] = new(Any),
        ["candid.api.url"] = new(Url),
        ["candid.domains"] = new(Any),
        ["candid.expiry"] = new(Int(0), "3600"),

        ["cluster.healing_threshold"] = new(Int(0), "0"),
        ["cluster.https_address"] = new(ListenAddress),
        ["cluster.images_minimal_replica"] = new(
            v => Int(-1)(v) is null && v != "0" ? null : "expected -1 (all members) or an integer >= 1", "3"),
        ["cluster.join_token_expiry"] = new(Expiry, "3H"),
        ["cluster.max_standby"] = new(Int(0, 5), "2"),
        ["cluster.max_voters"] = new(
            v => Int(3)(v) is null && long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) % 2 == 1
                ? null
                : "expected an odd integer >= 3",
            "3"),
        ["cluster.offline_threshold"] = new(Int(11), "20"),

        ["core.bgp_address"] = new(ListenAddress),
        ["core.bgp_asn"] = new(Int(0, 4294967294), "0"),
        ["core.bgp_routerid"] = new(IPv4),
        ["core.debug_address"] = new(ListenAddress),
        ["core.dns_address"] = new(ListenAddress),
        ["core.https_address"] = new(ListenAddress),
        ["core.https_allowed_credentials"] = new(Bool, "false"),
        ["core.https_allowed_headers"] = new(Any),
        ["core.https_allowed_methods"] = new(Any),
        ["core.https_allowed_origin"] = new(Any),
        ["core.https_trusted_proxy"] = new(Any),
        ["core.metrics_address"] = new(ListenAddress),
        ["core.metrics_authentication"] = new(Bool, "true"),
        ["core.proxy_http"] = new(Any),
        ["core.proxy_https"] = new(Any),
        ["core.proxy_ignore_hosts"] = new(Any),
        ["core.remote_token_expiry"] = new(Expiry),
        ["core.shutdown_timeout"] = new(Int(0), "5"),
        ["core.storage_buckets_address"] = new(ListenAddress),
        ["core.syslog_socket"] = new(Bool, "false"),
        ["core.trust_ca_certificates"] = new(Bool, "false"),
        ["core.trust_password"] = new(Any, Secret: true),

        ["images.auto_update_cached"] = new(Bool, "true"),
        ["images.auto_update_interval"] = new(Int(0), "6"),
        ["images.compression_algorithm"] = new(Compression, "gzip"),
        ["images.default_architecture"] = new(Architecture),
        ["images.remote_cache_expiry"] = new(Int(0), "10"),

        ["instances.migration.stateful"] = new(Bool, "false"),
        ["instances.nic.host_name"] = new(OneOf("random", "mac"), "random"),
        ["instances.placement.scriptlet"] = new(Any),

        ["loki.api.ca_cert"] = new(Any),
        ["loki.api.url"] = new(Url),
        ["loki.auth.password"] = new(Any),
        ["loki.auth.username"] = new(Any),
        ["loki.instance"] = new(Any),
        ["loki.labels"] = new(Any),
        ["loki.loglevel"] = new(OneOf("trace", "debug", "info", "warn", "warning", "error", "crit"), "info"),
        ["loki.types"] = new(ListOf(OneOf("lifecycle", "logging"), "expected a comma-separated list of lifecycle, logging"), "lifecycle,logging"),

        ["maas.api.key"] = new(Any),
        ["maas.api.url"] = new(Url),
        ["maas.machine"] = new(Any),

        ["network.ovn.ca_cert"] = new(Any),
        ["network.ovn.client_cert"] = new(Any),
        ["network.ovn.client_key"] = new(Any),
        ["network.ovn.integration_bridge"] = new(Any, "br-int"),
        ["network.ovn.northbound_connection"] = new(Any, "unix:/var/run/ovn/ovnnb_db.sock"),

        ["oidc.audience"] = new(Any),
        ["oidc.client.id"] = new(Any),
        ["oidc.client.secret"] = new(Any),
        ["oidc.groups.claim"] = new(Any),
        ["oidc.issuer"] = new(Url),
        ["oidc.scopes"] = new(Any),

        ["rbac.agent.private_key"] = new(Any),
        ["rbac.agent.public_key"] = new(Any),
        ["rbac.agent.url"] = new(Url),
        ["rbac.agent.username"] = new(Any),
        ["rbac.api.expiry"] = new(Int(0), "3600"),
        ["rbac.api.key"] = new(Any),
        ["rbac.api.url"] = new(Url),
        ["rbac.expiry"] = new(Int(0), "3600"),

        ["storage.backups_volume"] = new(PoolVolume),
        ["storage.images_volume"] = new(PoolVolume),
    };

    /// <summary>Throws <c>ApiException(400)</c> on the first unknown key or bad value; empty values mean unset.</summary>
    public static void Validate(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (key, value) in config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!Keys.TryGetValue(key, out var rule))
            {
                throw ConfigErrors.UnknownKey(key);
            }

            ConfigErrors.Check(key, value, rule);
        }
    }

    public static bool IsKnown(string key) => Keys.ContainsKey(key);

    /// <summary>Keys stored hashed and shown as <c>"true"</c> in <c>GET /1.0</c> (LXD hides only <c>core.trust_password</c>).</summary>
    public static bool IsSecret(string key) => Keys.TryGetValue(key, out var rule) && rule.Secret;

    /// <summary>The default of a known key ("" when it has none); null for unknown keys.</summary>
    public static string? DefaultValue(string key) => Keys.TryGetValue(key, out var rule) ? rule.Default ?? "" : null;
}
