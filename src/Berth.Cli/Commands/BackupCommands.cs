using System.CommandLine;
using System.Diagnostics;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth export instance [file] [--instance-only] [--compression C]</c>: a backup made on the server, streamed
/// into the file as it is produced, then removed from the server, as lxc export does.
/// </summary>
internal sealed class ExportCommand : Command
{
    private readonly Argument<string> _instance = new("instance") { Description = "[<remote>:]<instance>" };
    private readonly Argument<string?> _file = new("file") { Description = "Target file (default <instance>.tar.gz)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _instanceOnly = new("--instance-only") { Description = "Whether or not to only backup the instance (without snapshots)" };
    private readonly Option<string?> _compression = new("--compression") { Description = "Compression algorithm: none, gzip, xz, zstd, bzip2" };

    public ExportCommand(CliApp app) : base("export", "Export instance backups")
    {
        Arguments.Add(_instance);
        Arguments.Add(_file);
        Options.Add(_instanceOnly);
        Options.Add(_compression);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(context.GetValue(_instance));
        var client = context.Client(remote);
        var file = context.GetValue(_file) ?? name + ".tar.gz";
        var clock = Stopwatch.StartNew();
        var backup = await client.CreateInstanceBackupAsync(name, new InstanceBackupsPost
        {
            ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
            InstanceOnly = context.GetValue(_instanceOnly),
            ContainerOnly = context.GetValue(_instanceOnly),
            CompressionAlgorithm = context.GetValue(_compression) ?? "",
        }, cancellationToken).ConfigureAwait(false);
        await BackupFile.DownloadAsync(
            context,
            file,
            clock,
            output => client.ExportInstanceBackupAsync(name, backup, output, cancellationToken),
            () => client.DeleteInstanceBackupAsync(name, backup, CancellationToken.None)).ConfigureAwait(false);
    }
}

/// <summary><c>berth import file [name] [-s pool]</c>: the tarball is streamed to the server, which untars it straight into the new volumes.</summary>
internal sealed class ImportCommand : Command
{
    private readonly Argument<string> _file = new("file") { Description = "Backup file (tar, optionally gzip, xz, zstd or bzip2 compressed)" };
    private readonly Argument<string?> _name = new("name") { Description = "Instance name (default: the backup's)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _storage = new("--storage", "-s") { Description = "Storage pool name" };

    public ImportCommand(CliApp app) : base("import", "Import instance backups")
    {
        Arguments.Add(_file);
        Arguments.Add(_name);
        Options.Add(_storage);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, path) = context.ParseRemote(context.GetValue(_file));
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        var name = await context.Client(remote).ImportInstanceBackupAsync(file, context.GetValue(_name), context.GetValue(_storage), cancellationToken).ConfigureAwait(false);
        context.Print($"Instance {name} imported");
    }
}

/// <summary>A server-side backup streamed into a local file, then deleted on the server (as lxc export does).</summary>
internal static class BackupFile
{
    /// <summary>Writes the export to <paramref name="file"/> (removed again if it fails) and always deletes the backup.</summary>
    public static async Task DownloadAsync(CliContext context, string file, Stopwatch clock, Func<Stream, Task<long>> export, Func<Task> deleteBackup)
    {
        long bytes;
        try
        {
            await using var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
            bytes = await export(output).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(file);
            throw;
        }
        finally
        {
            await deleteBackup().ConfigureAwait(false);
        }

        context.Print($"Backup exported successfully! ({bytes / 1048576.0:F1}MiB in {clock.Elapsed.TotalSeconds:F1}s)");
    }
}
