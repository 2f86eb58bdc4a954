using System.Formats.Tar;
using System.IO.Compression;
using Berth.Api;

namespace Berth.Daemon.Tests.Endpoints;

/// <summary>Custom volume backups on an in-process berthd with a dir pool: the tarball layout, the round trip, bad uploads.</summary>
public sealed class VolumeBackupsEndpointsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    private string VolumeDir(string name) => Path.Combine(_daemon.Dir, "storage-pools", "p", "custom", "default_" + name);

    private async Task<byte[]> ExportAsync(string volume)
    {
        var ct = TestContext.Current.CancellationToken;
        var backup = await _daemon.Client.CreateStorageVolumeBackupAsync("p", volume, new StorageVolumeBackupsPost(), ct);
        using var file = new MemoryStream();
        await _daemon.Client.ExportStorageVolumeBackupAsync("p", volume, backup, file, ct);
        await _daemon.Client.DeleteStorageVolumeBackupAsync("p", volume, backup, ct);
        return file.ToArray();
    }

    [Fact]
    public async Task ExportImport_WithSnapshot_KeepsDataSnapshotsAndConfig()
    {
        var ct = TestContext.Current.CancellationToken;
        await _daemon.Client.CreateStoragePoolAsync(new StoragePoolsPost { Name = "p", Driver = "dir" }, ct);
        await _daemon.Client.CreateStorageVolumeAsync("p", new StorageVolumesPost { Name = "v", Config = new() { ["user.note"] = "kept" } }, ct);
        await File.WriteAllTextAsync(Path.Combine(VolumeDir("v"), "marker"), "one\n", ct);
        await _daemon.Client.CreateStorageVolumeSnapshotAsync("p", "v", "s1", ct);
        await File.WriteAllTextAsync(Path.Combine(VolumeDir("v"), "marker"), "two\n", ct);

        var tarball = await ExportAsync("v");
        Assert.Empty(await _daemon.Client.GetStorageVolumeBackupsAsync("p", "v", ct));
        var names = new List<string>();
        using (var reader = new TarReader(new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress)))
        {
            while (await reader.GetNextEntryAsync(cancellationToken: ct) is { } entry)
            {
                names.Add(entry.Name.TrimEnd('/'));
            }
        }

        Assert.Equal("backup/index.yaml", names[0]);
        Assert.Contains("backup/volume/marker", names);
        Assert.Contains("backup/volume-snapshots/s1/marker", names);

        Assert.Equal("w", await _daemon.Client.ImportStorageVolumeBackupAsync("p", new MemoryStream(tarball), "w", ct));
        Assert.Equal("two\n", await File.ReadAllTextAsync(Path.Combine(VolumeDir("w"), "marker"), ct));
        var (imported, _) = await _daemon.Client.GetStorageVolumeAsync("p", "w", ct);
        Assert.Equal("kept", imported.Config["user.note"]);
        await _daemon.Client.RestoreStorageVolumeAsync("p", "w", "s1", ct);
        Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(VolumeDir("w"), "marker"), ct));

        var again = await Assert.ThrowsAsync<ApiException>(() => _daemon.Client.ImportStorageVolumeBackupAsync("p", new MemoryStream(tarball), "w", ct));
        Assert.Equal(409, again.Status);
    }

    [Fact]
    public async Task Import_BadUploads_Are400AndLeaveNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await _daemon.Client.CreateStoragePoolAsync(new StoragePoolsPost { Name = "p", Driver = "dir" }, ct);
        await _daemon.Client.CreateStorageVolumeAsync("p", new StorageVolumesPost { Name = "v" }, ct);
        await File.WriteAllBytesAsync(Path.Combine(VolumeDir("v"), "big"), new byte[1 << 21], ct);
        var tarball = await ExportAsync("v");

        byte[][] bad =
        [
            [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5],
            tarball[..(tarball.Length * 3 / 4)],
            InstanceIndexTarball(),
        ];
        foreach (var upload in bad)
        {
            var error = await Assert.ThrowsAsync<ApiException>(() => _daemon.Client.ImportStorageVolumeBackupAsync("p", new MemoryStream(upload), "bad", ct));
            Assert.Equal(400, error.Status);
            Assert.Contains("Invalid backup file", error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await _daemon.Client.GetStorageVolumesAsync("p", ct), v => v.Name == "bad");
        Assert.False(Directory.Exists(VolumeDir("bad")));
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(_daemon.Dir, "storage-pools", "p")), d => Path.GetFileName(d).StartsWith(".berth-import", StringComparison.Ordinal));
    }

    /// <summary>A well-formed backup of an instance: not something a volume can be made from.</summary>
    private static byte[] InstanceIndexTarball()
    {
        using var file = new MemoryStream();
        using (var writer = new TarWriter(file, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "backup/index.yaml")
            {
                DataStream = new MemoryStream("name: c1\ntype: container\nconfig: {\"container\": {\"name\": \"c1\"}}\n"u8.ToArray()),
            };
            writer.WriteEntry(entry);
        }

        return file.ToArray();
    }
}
