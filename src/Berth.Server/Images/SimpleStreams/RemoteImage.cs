namespace Berth.Server.Images.SimpleStreams;

/// <summary>One file of a remote image, checked against its sha256 when downloaded.</summary>
public sealed record RemoteImageFile(Uri Url, string Sha256, long Size);

/// <summary>An image offered by a remote image server.</summary>
public sealed record RemoteImage(
    string Fingerprint,
    string Architecture,
    string Type,
    Dictionary<string, string> Properties,
    IReadOnlyList<string> Aliases,
    RemoteImageFile Metadata,
    RemoteImageFile? Rootfs,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
