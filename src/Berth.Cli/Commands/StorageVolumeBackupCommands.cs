using System.CommandLine;
using System.Diagnostics;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth storage volume export pool volume [file] [--volume-only] [--compression C]</c>: a backup made on the
/// server, streamed into the file as it is produced, then removed from the server, as lxc storage volume export does.
/// </summary>
internal sealed class VolumeExportCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _volume = StorageVolumeCommand.VolumeArgument();
    private readonly Argument<string?> _file = new("file") { Description = "Target file (default backup.tar.gz)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _volumeOnly = new("--volume-only") { Description = "Export the volume without its snapshots" };
    private readonly Option<string?> _compression = new("--compression") { Description = "Compression algorithm: none, gzip, xz, zstd, bzip2" };

    public VolumeExportCommand(CliApp app) : base("export", "Export custom storage volume")
    {
        Arguments.Add(_pool);
        Arguments.Add(_volume);
        Arguments.Add(_file);
        Options.Add(_volumeOnly);
        Options.Add(_compression);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        var volume = StorageVolumeCommand.VolumeName(context.GetValue(_volume));
        var client = context.Client(remote);
        var file = context.GetValue(_file) ?? "backup.tar.gz";
        var clock = Stopwatch.StartNew();
        var backup = await client.CreateStorageVolumeBackupAsync(pool, volume, new StorageVolumeBackupsPost
        {
            ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
            VolumeOnly = context.GetValue(_volumeOnly),
            CompressionAlgorithm = context.GetValue(_compression) ?? "",
        }, cancellationToken).ConfigureAwait(false);
        await BackupFile.DownloadAsync(
            context,
            file,
            clock,
            output => client.ExportStorageVolumeBackupAsync(pool, volume, backup, output, cancellationToken),
            () => client.DeleteStorageVolumeBackupAsync(pool, volume, backup, CancellationToken.None)).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage volume import pool file [name]</c>: the tarball is streamed to the server, which untars it straight into the new volume.</summary>
internal sealed class VolumeImportCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _file = new("file") { Description = "Backup file (tar, optionally gzip, xz, zstd or bzip2 compressed)" };
    private readonly Argument<string?> _name = new("name") { Description = "Volume name (default: the backup's)", Arity = ArgumentArity.ZeroOrOne };

    public VolumeImportCommand(CliApp app) : base("import", "Import custom storage volumes")
    {
        Arguments.Add(_pool);
        Arguments.Add(_file);
        Arguments.Add(_name);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, pool) = StorageCommand.Target(context, context.GetValue(_pool));
        await using var file = new FileStream(context.GetValue(_file), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        var name = await context.Client(remote).ImportStorageVolumeBackupAsync(pool, file, context.GetValue(_name), cancellationToken).ConfigureAwait(false);
        context.Print($"Storage volume {name} imported");
    }
}
