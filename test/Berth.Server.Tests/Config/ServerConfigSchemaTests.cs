using Berth.Api;
using Berth.Server.Config;

namespace Berth.Server.Tests.Config;

public class ServerConfigSchemaTests
{
    private static void Valid(string key, string value) =>
        ServerConfigSchema.Validate(new Dictionary<string, string> { [key] = value });

    private static ApiException Invalid(string key, string value) =>
        Assert.Throws<ApiException>(() => Valid(key, value));

    [Theory]
    [InlineData("core.https_address", "10.0.0.1")]
    [InlineData("core.https_address", "10.0.0.1:8443")]
    [InlineData("core.https_address", ":8443")]
    [InlineData("core.https_address", "[::]:8443")]
    [InlineData("core.https_address", "[fd00::1]")]
    [InlineData("core.https_address", "::")]
    [InlineData("core.https_address", "lxd.example.com:8443")]
    [InlineData("core.https_address", "0.0.0.0:443")]
    [InlineData("core.metrics_address", "127.0.0.1:9100")]
    [InlineData("cluster.https_address", "10.1.1.1:8443")]
    [InlineData("images.auto_update_interval", "0")]
    [InlineData("images.auto_update_interval", "12")]
    [InlineData("images.auto_update_cached", "false")]
    [InlineData("images.remote_cache_expiry", "0")]
    [InlineData("images.compression_algorithm", "zstd")]
    [InlineData("images.compression_algorithm", "none")]
    [InlineData("images.compression_algorithm", "squashfs")]
    [InlineData("images.default_architecture", "aarch64")]
    [InlineData("backups.compression_algorithm", "xz")]
    [InlineData("core.remote_token_expiry", "15d")]
    [InlineData("cluster.join_token_expiry", "3H 30M")]
    [InlineData("core.trust_password", "sekret")]
    [InlineData("core.shutdown_timeout", "10")]
    [InlineData("core.bgp_asn", "65000")]
    [InlineData("core.bgp_routerid", "10.0.0.1")]
    [InlineData("cluster.max_voters", "5")]
    [InlineData("cluster.max_standby", "0")]
    [InlineData("cluster.images_minimal_replica", "-1")]
    [InlineData("cluster.offline_threshold", "11")]
    [InlineData("acme.ca_url", "https://acme.example.com/directory")]
    [InlineData("storage.images_volume", "default/images")]
    [InlineData("instances.nic.host_name", "mac")]
    [InlineData("loki.types", "lifecycle,logging")]
    [InlineData("candid.api.url", "https://candid.example.com")]
    [InlineData("rbac.api.expiry", "60")]
    [InlineData("oidc.issuer", "https://login.example.com/")]
    public void Validate_GoodValue_Passes(string key, string value) => Valid(key, value);

    [Theory]
    [InlineData("core.https_address", "10.0.0.1:99999")]
    [InlineData("core.https_address", "10.0.0.1:")]
    [InlineData("core.https_address", "[::1]8443")]
    [InlineData("core.https_address", "[10.0.0.1]:8443")]
    [InlineData("core.https_address", "1.2.3.999")]
    [InlineData("core.https_address", "bad host:8443")]
    [InlineData("images.auto_update_interval", "-1")]
    [InlineData("images.auto_update_interval", "six")]
    [InlineData("images.remote_cache_expiry", "-5")]
    [InlineData("images.auto_update_cached", "maybe")]
    [InlineData("images.compression_algorithm", "rar")]
    [InlineData("images.default_architecture", "amd64")]
    [InlineData("core.remote_token_expiry", "15 days")]
    [InlineData("core.remote_token_expiry", "1h")]
    [InlineData("cluster.max_voters", "4")]
    [InlineData("cluster.max_voters", "1")]
    [InlineData("cluster.max_standby", "6")]
    [InlineData("cluster.images_minimal_replica", "0")]
    [InlineData("cluster.offline_threshold", "10")]
    [InlineData("core.bgp_routerid", "not-an-ip")]
    [InlineData("acme.ca_url", "ftp://acme.example.com")]
    [InlineData("storage.images_volume", "images")]
    [InlineData("instances.nic.host_name", "static")]
    [InlineData("loki.types", "lifecycle,metrics")]
    public void Validate_BadValue_Throws400NamingTheKey(string key, string value)
    {
        var e = Invalid(key, value);

        Assert.Equal(400, e.Status);
        Assert.StartsWith($"Invalid value for \"{key}\": \"{value}\" (expected", e.Message);
    }

    [Fact]
    public void Validate_UnknownKey_Throws400()
    {
        var e = Invalid("core.no_such_key", "1");

        Assert.Equal(400, e.Status);
        Assert.Equal("Unknown configuration key: core.no_such_key", e.Message);
    }

    [Theory]
    [InlineData("core.https_address")]
    [InlineData("images.auto_update_interval")]
    [InlineData("images.compression_algorithm")]
    public void Validate_EmptyValue_MeansUnsetAndPasses(string key) => Valid(key, "");

    [Fact]
    public void IsKnown_DistinguishesKnownAndUnknownKeys()
    {
        Assert.True(ServerConfigSchema.IsKnown("core.https_address"));
        Assert.True(ServerConfigSchema.IsKnown("candid.api.url"));
        Assert.False(ServerConfigSchema.IsKnown("core.no_such_key"));
        Assert.False(ServerConfigSchema.IsKnown("user.foo"));
    }

    [Fact]
    public void IsSecret_OnlyTrustPassword()
    {
        Assert.True(ServerConfigSchema.IsSecret("core.trust_password"));
        Assert.False(ServerConfigSchema.IsSecret("core.https_address"));
        Assert.False(ServerConfigSchema.IsSecret("no.such.key"));
    }

    [Theory]
    [InlineData("images.auto_update_interval", "6")]
    [InlineData("images.auto_update_cached", "true")]
    [InlineData("images.remote_cache_expiry", "10")]
    [InlineData("images.compression_algorithm", "gzip")]
    [InlineData("core.shutdown_timeout", "5")]
    [InlineData("cluster.max_voters", "3")]
    [InlineData("core.https_address", "")]
    public void DefaultValue_KnownKey_ReturnsLxdDefault(string key, string expected) =>
        Assert.Equal(expected, ServerConfigSchema.DefaultValue(key));

    [Fact]
    public void DefaultValue_UnknownKey_ReturnsNull() => Assert.Null(ServerConfigSchema.DefaultValue("no.such.key"));
}
