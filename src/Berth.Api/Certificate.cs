using System.Text.Json.Serialization;

namespace Berth.Api;

public record CertificatePut
{
    [JsonPropertyName("name"), JsonPropertyOrder(0)] public string Name { get; set; } = "";
    [JsonPropertyName("type"), JsonPropertyOrder(1)] public string Type { get; set; } = "client";
    [JsonPropertyName("restricted"), JsonPropertyOrder(2)] public bool Restricted { get; set; }
    [JsonPropertyName("projects"), JsonPropertyOrder(3)] public List<string> Projects { get; set; } = [];
    [JsonPropertyName("certificate"), JsonPropertyOrder(4)] public string Certificate { get; set; } = "";
}

public sealed record Certificate : CertificatePut
{
    [JsonPropertyName("fingerprint"), JsonPropertyOrder(5)] public string Fingerprint { get; set; } = "";
}

/// <summary>
/// <c>POST /1.0/certificates</c>: a certificate to trust (base64 DER), or none to trust the caller's TLS certificate
/// with <c>password</c> (the trust password or a token) or <c>trust_token</c>; <c>token: true</c> issues a token.
/// </summary>
public sealed record CertificatesPost : CertificatePut
{
    [JsonPropertyName("password"), JsonPropertyOrder(6)] public string Password { get; set; } = "";
    [JsonPropertyName("trust_token"), JsonPropertyOrder(7)] public string TrustToken { get; set; } = "";
    [JsonPropertyName("token"), JsonPropertyOrder(8)] public bool Token { get; set; }
}

/// <summary>What a certificate add token carries, base64 of this JSON (LXD's <c>api.CertificateAddToken</c>).</summary>
public sealed record CertificateAddToken
{
    [JsonPropertyName("client_name")] public string ClientName { get; set; } = "";
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; }
}
