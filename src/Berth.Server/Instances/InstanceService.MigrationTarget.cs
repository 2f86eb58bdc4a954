using System.Text;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Migration;
using Berth.Server.Storage;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// The receiving half of an instance migration (LXD 5.0's migrationSink): answers the offer, receives each snapshot
/// into the new volume and snapshots it, then the volume itself, and records the instance only when all of it
/// arrived; anything half-made is removed and the source is told why.
/// </summary>
public sealed partial class InstanceService
{
    /// <summary>Checks a <c>source.type=migration</c> request up front: the name is free, the config valid.</summary>
    public void ValidateMigrationTarget(string project, InstancesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Source.Live)
        {
            throw new ApiException(500, "Unable to perform container live migration: Berth does not support CRIU live migration (use --stateless, or stop the instance first)");
        }

        if (IsMigrationRefresh(project, request))
        {
            if (Get(project, request.Name).StatusCode != StatusCode.Stopped)
            {
                throw new ApiException(400, "Cannot refresh a running instance");
            }

            return;
        }

        InstanceNames.Validate(request.Name);
        if (request.Type is not ("" or "container"))
        {
            throw new ApiException(400, $"Instance type \"{request.Type}\" is not supported (no KVM on this host: containers only)");
        }

        var snapshot = _store.Snapshot();
        if (snapshot.Get(Key(project, request.Name)) is not null)
        {
            throw new ApiException(409, "Instance \"" + request.Name + "\" already exists");
        }

        Validate(snapshot, project, MigratedRecord(project, request));
    }

    public async Task<Instance> ReceiveMigrationAsync(string project, InstancesPost request, MigrationSocket control, MigrationSocket fs, EventLifecycleRequestor? requestor, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(fs);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var revert = new Reverter();
        try
        {
            var offer = MigrationCodec.DecodeHeader(await control.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false));
            if (offer.Criu is CriuType.CriuRsync or CriuType.Phaul)
            {
                throw new InvalidOperationException("Unable to perform container live migration: Berth does not support CRIU live migration");
            }

            var refresh = IsMigrationRefresh(project, request);
            var record = refresh ? Stored(_store.Snapshot(), project, request.Name) : MigratedRecord(project, request);
            CheckDiskIdmap(offer.Idmap, record);
            var pool = refresh ? PoolOf(project, record.Name) : await TargetPoolAsync(project, record, cancellationToken).ConfigureAwait(false);
            var volume = _paths.Volume(record.Name, pool);
            if (!refresh && Directory.Exists(volume))
            {
                throw new ApiException(409, $"Storage volume for \"{record.Name}\" already exists");
            }

            var instanceOnly = request.Source.InstanceOnly || request.Source.ContainerOnly;
            var plan = refresh ? PlanMigrationRefresh(project, record.Name, offer, instanceOnly) : null;
            var snapshots = plan is not null ? plan.Missing.Select(s => s.Name).ToList() : instanceOnly ? [] : offer.SnapshotNames;
            var features = NegotiatedRsyncFeatures(offer.RsyncFeatures);
            var btrfs = !refresh && offer.BerthBtrfs && offer.Fs == MigrationFsType.Rsync && IsBtrfsPool(pool);
            var answer = new MigrationHeader
            {
                Fs = btrfs ? MigrationFsType.Btrfs : MigrationFsType.Rsync,
                Criu = offer.Criu == CriuType.None ? CriuType.None : null,
                SnapshotNames = plan is not null ? snapshots : offer.SnapshotNames,
                Snapshots = plan is not null ? plan.Missing : offer.Snapshots,
                Predump = false,
                RsyncFeatures = features,
                Refresh = refresh,
                IndexHeaderVersion = Math.Min(offer.IndexHeaderVersion ?? 0, 1u),
            };
            await control.SendMessageAsync(MigrationCodec.Encode(answer), cancellationToken).ConfigureAwait(false);

            var verdict = control.ReceiveMessageAsync(failed.Token);
            var transfer = refresh
                ? ReceiveRefreshAsync(pool, volume, record.Name, snapshots, offer.Criu == CriuType.None, answer.IndexHeaderVersion ?? 0, fs, features, revert, progress, failed.Token)
                : ReceiveVolumesAsync(pool, volume, record.Name, snapshots, offer.Criu == CriuType.None, answer.IndexHeaderVersion ?? 0, btrfs, fs, features, revert, progress, failed.Token);
            if (await Task.WhenAny(transfer, verdict).ConfigureAwait(false) == verdict)
            {
                // The source only ever speaks here to say it failed (or its socket went away).
                await failed.CancelAsync().ConfigureAwait(false);
                var message = verdict.IsCompletedSuccessfully ? MigrationCodec.DecodeControl(verdict.Result).Message : null;
                try
                {
                    await transfer.ConfigureAwait(false);
                }
                catch (Exception) when (failed.IsCancellationRequested)
                {
                }

                throw new InvalidOperationException(message is { Length: > 0 } ? message : "The migration source went away");
            }

            await transfer.ConfigureAwait(false);
            if (plan is not null)
            {
                var refreshed = await RecordRefreshedAsync(project, record.Name, pool, plan, offer, cancellationToken).ConfigureAwait(false);
                revert.Success();
                await SendControlAsync(control, null).ConfigureAwait(false);
                _events.PublishLifecycle("instance-updated", Url(refreshed.Name), requestor: requestor, project: project);
                return refreshed;
            }

            var created = await RecordMigratedAsync(project, record, pool, volume, snapshots, offer, cancellationToken).ConfigureAwait(false);
            revert.Success();
            await SendControlAsync(control, null).ConfigureAwait(false);
            _events.PublishLifecycle("instance-created", Url(created.Name), Context("type", "container"), requestor, project);
            return created;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await SendControlAsync(control, e.Message).ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReceiveRefreshAsync(string pool, string volume, string name, List<string> snapshots, bool finalSync, uint indexVersion, MigrationSocket fs, List<string> features, Reverter revert, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (indexVersion > 0)
        {
            _ = await fs.ReadSegmentAsync(cancellationToken).ConfigureAwait(false);
            await fs.WriteSegmentAsync(Encoding.UTF8.GetBytes("{\"StatusCode\":200,\"Error\":\"\",\"Refresh\":true}"), cancellationToken).ConfigureAwait(false);
        }

        await ReceiveRefreshVolumesAsync(pool, volume, name, snapshots, finalSync, fs, features, revert, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReceiveVolumesAsync(string pool, string volume, string name, List<string> snapshots, bool finalSync, uint indexVersion, bool btrfs, MigrationSocket fs, List<string> features, Reverter revert, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (indexVersion > 0)
        {
            // The source's backup config; the instance's config comes from the request, snapshots from the offer.
            _ = await fs.ReadSegmentAsync(cancellationToken).ConfigureAwait(false);
            await fs.WriteSegmentAsync(Encoding.UTF8.GetBytes("{\"StatusCode\":200,\"Error\":\"\",\"Refresh\":false}"), cancellationToken).ConfigureAwait(false);
        }

        if (btrfs)
        {
            // One stream per subvolume, the volume's taken frozen: no final sync follows.
            await ReceiveBtrfsVolumesAsync(pool, volume, name, snapshots, fs, revert, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        var driver = _pools.DriverOf(pool);
        Directory.CreateDirectory(Path.GetDirectoryName(volume)!);
        await driver.CreateVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
        revert.Add(() => driver.DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult());
        if (snapshots.Count > 0)
        {
            Directory.CreateDirectory(_paths.SnapshotsDir(name, pool));
            revert.Add(() => Directories.DeleteIfEmpty(_paths.SnapshotsDir(name, pool)));
        }

        // As LXD: each snapshot arrives into the volume, which is then snapshotted; the volume itself comes last.
        var received = false;
        foreach (var snap in snapshots)
        {
            ValidateSnapshotName(snap);
            await RsyncTransfer.ReceiveAsync(volume + "/", fs, features, received, Progress(progress, snap), cancellationToken).ConfigureAwait(false);
            received = true;
            var target = _paths.SnapshotVolume(name, snap, pool);
            await driver.SnapshotVolumeAsync(volume, target, readOnly: true, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
        }

        await RsyncTransfer.ReceiveAsync(volume + "/", fs, features, received, Progress(progress, name), cancellationToken).ConfigureAwait(false);
        if (finalSync)
        {
            await RsyncTransfer.ReceiveAsync(volume + "/", fs, features, overExisting: true, Progress(progress, name), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Instance> RecordMigratedAsync(string project, Instance record, string pool, string volume, List<string> snapshots, MigrationHeader offer, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(volume, "metadata.yaml")))
        {
            TemplateApplier.Apply(volume, _paths.Rootfs(record.Name, pool), "copy", record.Name);
        }

        var byName = offer.Snapshots.GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, record.Name)) is not null)
            {
                throw new ApiException(409, "Instance \"" + record.Name + "\" already exists");
            }

            Validate(tx, project, record);
            tx.PutJson(Key(project, record.Name), record, ApiJsonContext.Wire.Instance);
            StoragePoolService.AddVolume(tx, pool, project, record.Name);
            foreach (var name in snapshots)
            {
                tx.PutJson(SnapshotPrefix(project, record.Name) + name, SnapshotRecord(name, byName.GetValueOrDefault(name), record), ApiJsonContext.Wire.InstanceSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// The new instance from the request the client built from the source: its volatile keys are kept (lxc move sends
    /// them; lxc copy strips them), except the id map and the power state, which are this server's.
    /// </summary>
    private Instance MigratedRecord(string project, InstancesPost request)
    {
        var requested = request.Config ?? [];
        var config = requested.Where(kv => !kv.Key.StartsWith("volatile.idmap.", StringComparison.Ordinal)
                && kv.Key is not ("volatile.last_state.idmap" or "volatile.last_state.power"))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var record = NewRecord(project, request with { Config = config }, null);
        if (config.TryGetValue("volatile.uuid", out var uuid))
        {
            record.Config["volatile.uuid"] = uuid;
        }
        if (request.Source.BaseImage.Length > 0)
        {
            record.Config["volatile.base_image"] = request.Source.BaseImage;
        }

        return record;
    }

    private static InstanceSnapshot SnapshotRecord(string name, MigrationSnapshot? snap, Instance parent)
    {
        static DateTimeOffset Date(long? seconds) =>
            seconds is { } s && s > 0 ? DateTimeOffset.FromUnixTimeSeconds(s) : DateTimeOffset.MinValue;

        return new InstanceSnapshot
        {
            Name = name,
            Architecture = snap is null ? parent.Architecture : ArchitectureName(snap.Architecture),
            Config = snap?.Config ?? new Dictionary<string, string>(parent.Config, StringComparer.Ordinal),
            Devices = snap?.Devices ?? parent.Devices,
            Profiles = snap?.Profiles ?? parent.Profiles,
            Ephemeral = snap?.Ephemeral ?? false,
            Stateful = false,
            CreatedAt = snap is null ? parent.CreatedAt : Date(snap.CreationDate),
            LastUsedAt = Date(snap?.LastUsedDate),
            ExpiresAt = Date(snap?.ExpiryDate),
        };
    }

    /// <summary>
    /// Berth keeps unprivileged root filesystems shifted on disk by its own map; a tree shifted by another map (or
    /// not at all) would need re-shifting, which Berth does not do yet, so it is refused rather than left unusable.
    /// </summary>
    private void CheckDiskIdmap(List<MigrationIdmap> sourceIdmap, Instance record)
    {
        if (record.Config.GetValueOrDefault("security.privileged") is "true" or "1")
        {
            return;
        }

        var ours = OurMigrationIdmap();
        if (!ours.OrderBy(m => m.HostId).ThenBy(m => m.IsUid).SequenceEqual(sourceIdmap.OrderBy(m => m.HostId).ThenBy(m => m.IsUid)))
        {
            throw new InvalidOperationException("The source's root filesystem uses a different id map than this server; shifting it is not supported by this berthd yet");
        }
    }
}
