namespace Berth.Server.Migration;

/// <summary>LXD's <c>MigrationFSType</c>: how volumes travel on the fs channel.</summary>
public enum MigrationFsType
{
    Rsync = 0,
    Btrfs = 1,
    Zfs = 2,
    Rbd = 3,
    BlockAndRsync = 4,
}

/// <summary>LXD's <c>CRIUType</c>; <see cref="None"/> says "running, but stateless" (a final sync follows).</summary>
public enum CriuType
{
    CriuRsync = 0,
    Phaul = 1,
    None = 2,
    VmQemu = 3,
}

/// <summary>One idmap range (<c>IDMapType</c>).</summary>
public sealed record MigrationIdmap(bool IsUid, bool IsGid, long HostId, long NsId, long Range);

/// <summary>A snapshot's metadata as the source sends it (<c>Snapshot</c>); dates are Unix seconds.</summary>
public sealed record MigrationSnapshot
{
    public string Name { get; init; } = "";
    public Dictionary<string, string> Config { get; init; } = new(StringComparer.Ordinal);
    public List<string> Profiles { get; init; } = [];
    public bool Ephemeral { get; init; }
    public Dictionary<string, Dictionary<string, string>> Devices { get; init; } = new(StringComparer.Ordinal);
    public int Architecture { get; init; }
    public bool Stateful { get; init; }
    public long? CreationDate { get; init; }
    public long? LastUsedDate { get; init; }
    public long? ExpiryDate { get; init; }
}

/// <summary>
/// The offer and answer on the control channel (<c>MigrationHeader</c> in LXD 5.0's migrate.proto). Optional
/// fields are null when absent, as proto2 tells "unset" from "false".
/// </summary>
public sealed record MigrationHeader
{
    public MigrationFsType Fs { get; init; }
    public CriuType? Criu { get; init; }
    public List<MigrationIdmap> Idmap { get; init; } = [];
    public List<string> SnapshotNames { get; init; } = [];
    public List<MigrationSnapshot> Snapshots { get; init; } = [];
    public bool? Predump { get; init; }

    /// <summary>The rsync features (xattrs, delete, compress, bidirectional) marked true; null when not sent.</summary>
    public List<string>? RsyncFeatures { get; init; }

    public bool? Refresh { get; init; }
    public long? VolumeSize { get; init; }
    public uint? IndexHeaderVersion { get; init; }

    /// <summary>Berth's own offer of btrfs send/receive (<see cref="BtrfsTransfer.OfferField"/>); LXD never sets it.</summary>
    public bool BerthBtrfs { get; init; }
}

/// <summary>The final word on the control channel (<c>MigrationControl</c>).</summary>
public sealed record MigrationControl(bool Success, string? Message);
