using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Migration;

namespace Berth.Server.Instances;

/// <summary>
/// The sending half of an instance migration between servers (LXD 5.0's migrationSourceWs): an offer header on the
/// control channel, the index header and one rsync per snapshot then the volume on the fs channel (a second,
/// frozen sync of the volume when the instance runs), then the target's verdict on the control channel.
/// </summary>
public sealed partial class InstanceService
{
    /// <summary>Checks a migration request before its operation starts (404 for a missing instance).</summary>
    public void ValidateMigrationSource(string project, string name, bool live)
    {
        var instance = Get(project, name);
        if (live && instance.StatusCode == StatusCode.Running)
        {
            // LXD needs CRIU for this; criu 3.17 cannot dump on this kernel, so Berth offers no live migration.
            throw new ApiException(500, "Unable to perform container live migration: Berth does not support CRIU live migration (use --stateless, or stop the instance first)");
        }
    }

    public Task SendMigrationAsync(string project, string name, bool instanceOnly, MigrationSocket control, MigrationSocket fs, Action<string>? progress, CancellationToken cancellationToken) =>
        SendMigrationAsync(project, name, null, instanceOnly, control, fs, progress, cancellationToken);

    /// <summary>One snapshot as the source of a new instance on another server (<c>lxc copy a:c/snap b:c2</c>).</summary>
    public Task SendSnapshotMigrationAsync(string project, string name, string snapshot, MigrationSocket control, MigrationSocket fs, Action<string>? progress, CancellationToken cancellationToken) =>
        SendMigrationAsync(project, name, snapshot, true, control, fs, progress, cancellationToken);

    private async Task SendMigrationAsync(string project, string name, string? snapshot, bool instanceOnly, MigrationSocket control, MigrationSocket fs, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(fs);
        var reader = _store.Snapshot();
        var instance = Stored(reader, project, name);
        var running = snapshot is null && Get(project, name).StatusCode != StatusCode.Stopped;
        var pool = PoolOf(project, name);
        if (snapshot is not null)
        {
            GetSnapshot(project, name, snapshot);
        }

        var volume = snapshot is null ? _paths.Volume(name, pool) : _paths.SnapshotVolume(name, snapshot, pool);
        var snapshots = instanceOnly ? [] : reader.ListJson(SnapshotPrefix(project, name), ApiJsonContext.Wire.InstanceSnapshot)
            .Select(s => s.Value).OrderBy(s => s.CreatedAt).ToList();
        var offer = new MigrationHeader
        {
            Fs = MigrationFsType.Rsync,
            Criu = running ? CriuType.None : null,
            Idmap = OurMigrationIdmap(),
            SnapshotNames = [.. snapshots.Select(s => s.Name)],
            Snapshots = [.. snapshots.Select(ToMigrationSnapshot)],
            Predump = false,
            RsyncFeatures = [.. RsyncTransfer.Features],
            IndexHeaderVersion = 1,
            BerthBtrfs = IsBtrfsPool(pool),
        };

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await control.SendMessageAsync(MigrationCodec.Encode(offer), cancellationToken).ConfigureAwait(false);
            var answer = MigrationCodec.DecodeHeader(await control.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false));
            if (answer.Fs is not MigrationFsType.Rsync && !(answer.Fs == MigrationFsType.Btrfs && offer.BerthBtrfs))
            {
                throw new InvalidOperationException($"No matching migration types found. Offered types: [RSYNC], answer: {answer.Fs}");
            }

            var features = NegotiatedRsyncFeatures(answer.RsyncFeatures);
            if (answer.Refresh == true)
            {
                // A refresh: the target named the snapshots it lacks; only those travel, then the volume.
                snapshots = [.. snapshots.Where(s => answer.SnapshotNames.Contains(s.Name))];
            }

            var verdict = control.ReceiveMessageAsync(failed.Token);
            var transfer = SendVolumesAsync(name, pool, volume, instance, snapshots, running, answer.IndexHeaderVersion ?? 0, answer.Fs == MigrationFsType.Btrfs, fs, features, progress, failed.Token);
            if (await Task.WhenAny(transfer, verdict).ConfigureAwait(false) == verdict && !verdict.IsFaulted
                && MigrationCodec.DecodeControl(await verdict.ConfigureAwait(false)) is { Success: false } early)
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw new InvalidOperationException(early.Message);
            }

            await transfer.ConfigureAwait(false);
            var result = MigrationCodec.DecodeControl(await verdict.ConfigureAwait(false));
            if (!result.Success)
            {
                throw new InvalidOperationException(result.Message);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await SendControlAsync(control, e.Message).ConfigureAwait(false);
            throw;
        }
    }

    private async Task SendVolumesAsync(string name, string pool, string volume, Instance instance, List<InstanceSnapshot> snapshots, bool running, uint indexVersion, bool btrfs, MigrationSocket fs, List<string> features, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (indexVersion > 0)
        {
            await fs.WriteSegmentAsync(IndexHeader(instance, snapshots, pool), cancellationToken).ConfigureAwait(false);
            var response = await fs.ReadSegmentAsync(cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(response);
            if (doc.RootElement.TryGetProperty("StatusCode", out var status) && status.GetInt32() != 200)
            {
                throw new InvalidOperationException("Failed negotiating migration options: " + (doc.RootElement.TryGetProperty("Error", out var error) ? error.GetString() : ""));
            }
        }

        if (btrfs)
        {
            await SendBtrfsVolumesAsync(name, pool, volume, snapshots, running, fs, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var snap in snapshots)
        {
            await RsyncTransfer.SendAsync(_paths.SnapshotVolume(name, snap.Name, pool), fs, features, Progress(progress, snap.Name), cancellationToken).ConfigureAwait(false);
        }

        await RsyncTransfer.SendAsync(volume, fs, features, Progress(progress, name), cancellationToken).ConfigureAwait(false);
        if (running)
        {
            // Stateless copy of a running container: a second pass while frozen, so the target gets a consistent tree.
            var frozen = false;
            try
            {
                _runtime.Freeze(name);
                frozen = true;
            }
            catch (Exception e) when (e is InvalidOperationException or ApiException)
            {
            }

            try
            {
                await RsyncTransfer.SendAsync(volume, fs, features, Progress(progress, name), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (frozen)
                {
                    _runtime.Unfreeze(name);
                }
            }
        }
    }

    /// <summary>The index header LXD sends first on the fs channel: its backup config (Go field names, no json tags).</summary>
    private static byte[] IndexHeader(Instance instance, List<InstanceSnapshot> snapshots, string pool)
    {
        var volume = new Dictionary<string, JsonElement>
        {
            ["name"] = JsonSerializer.SerializeToElement(instance.Name, ApiJsonContext.Wire.String),
            ["type"] = JsonSerializer.SerializeToElement("container", ApiJsonContext.Wire.String),
            ["content_type"] = JsonSerializer.SerializeToElement("filesystem", ApiJsonContext.Wire.String),
            ["pool"] = JsonSerializer.SerializeToElement(pool, ApiJsonContext.Wire.String),
            ["config"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>(), ApiJsonContext.Wire.DictionaryStringString),
        };
        var config = new Dictionary<string, JsonElement>
        {
            ["Container"] = JsonSerializer.SerializeToElement(instance, ApiJsonContext.Wire.Instance),
            ["Snapshots"] = JsonSerializer.SerializeToElement(snapshots, ApiJsonContext.Wire.ListInstanceSnapshot),
            ["Volume"] = JsonSerializer.SerializeToElement(volume, ApiJsonContext.Wire.DictionaryStringJsonElement),
            ["VolumeSnapshots"] = JsonSerializer.SerializeToElement(
                snapshots.Select(s => JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["name"] = s.Name }, ApiJsonContext.Wire.DictionaryStringString)).ToList(),
                ApiJsonContext.Wire.ListJsonElement),
        };
        var info = new Dictionary<string, JsonElement> { ["config"] = JsonSerializer.SerializeToElement(config, ApiJsonContext.Wire.DictionaryStringJsonElement) };
        return JsonSerializer.SerializeToUtf8Bytes(info, ApiJsonContext.Wire.DictionaryStringJsonElement);
    }

    private static MigrationSnapshot ToMigrationSnapshot(InstanceSnapshot snap) => new()
    {
        Name = snap.Name,
        Config = new Dictionary<string, string>(snap.Config, StringComparer.Ordinal),
        Devices = snap.Devices.ToDictionary(d => d.Key, d => new Dictionary<string, string>(d.Value, StringComparer.Ordinal), StringComparer.Ordinal),
        Profiles = [.. snap.Profiles],
        Ephemeral = snap.Ephemeral,
        Stateful = snap.Stateful,
        Architecture = ArchitectureId(snap.Architecture),
        CreationDate = snap.CreatedAt.ToUnixTimeSeconds(),
        LastUsedDate = snap.LastUsedAt.ToUnixTimeSeconds(),
        ExpiryDate = snap.ExpiresAt.ToUnixTimeSeconds(),
    };

    private List<MigrationIdmap> OurMigrationIdmap() =>
        [.. _settings.Value.Idmap.Entries().Select(e => new MigrationIdmap(e.Isuid, e.Isgid, e.Hostid, e.Nsid, e.Maprange))];

    /// <summary>Without "bidirectional" the peer is LXD 3.7-level: xattrs, delete and compress (LXD's rule).</summary>
    private static List<string> NegotiatedRsyncFeatures(List<string>? offered)
    {
        var features = offered is not null && offered.Contains("bidirectional") ? offered : ["xattrs", "delete", "compress"];
        return [.. features.Where(RsyncTransfer.Features.Contains)];
    }

    private static async Task SendControlAsync(MigrationSocket control, string? error)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await control.SendMessageAsync(MigrationCodec.Encode(new MigrationControl(error is null, error ?? "")), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static Action<long>? Progress(Action<string>? progress, string volume) =>
        progress is null ? null : bytes => progress($"{volume}: {FormatBytes(bytes)}");

    private static string FormatBytes(long bytes) =>
        bytes >= 1 << 30 ? $"{bytes / (double)(1 << 30):0.00}GB" : bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.00}MB" : $"{bytes / 1024.0:0.00}kB";

    /// <summary>LXD's osarch ids for the architectures a snapshot can carry.</summary>
    private static readonly string[] Architectures = ["", "i686", "x86_64", "armv7l", "aarch64", "ppc", "ppc64", "ppc64le", "s390x", "mips", "mips64", "riscv32", "riscv64"];

    private static int ArchitectureId(string name) => Math.Max(0, Array.IndexOf(Architectures, name));

    private static string ArchitectureName(int id) => id > 0 && id < Architectures.Length ? Architectures[id] : "x86_64";
}
