using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Instances;
using Berth.Server.Storage;

namespace Berth.Server.Backups;

/// <summary>
/// What instance and custom-volume backups share: LXD's compressions, the tarball streamed out by tar, the upload
/// decompressed and untarred as it arrives, index.yaml, and removing a kept backup's volumes.
/// </summary>
internal static class BackupArchive
{
    public static readonly string[] Compressions = ["none", "gzip", "xz", "zstd", "bzip2"];

    /// <summary>
    /// LXD 5.0's index.yaml. The <c>config</c> value is JSON, which is also YAML (a flow mapping), so the API records
    /// serialize it exactly as they go on the wire.
    /// </summary>
    public static string IndexYaml(string name, string pool, string driver, string type, IEnumerable<string> snapshots, BackupConfig config)
    {
        var text = new StringBuilder();
        text.Append("name: ").Append(JsonSerializer.Serialize(name, ApiJsonContext.Wire.String)).Append('\n');
        text.Append("backend: ").Append(driver).Append('\n');
        text.Append("pool: ").Append(JsonSerializer.Serialize(pool, ApiJsonContext.Wire.String)).Append('\n');
        text.Append("optimized: false\noptimized_header: false\ntype: ").Append(type).Append('\n');
        var names = snapshots.ToList();
        text.Append("snapshots:").Append(names.Count == 0 ? " []\n" : "\n");
        foreach (var snap in names)
        {
            text.Append("- ").Append(JsonSerializer.Serialize(snap, ApiJsonContext.Wire.String)).Append('\n');
        }

        text.Append("config: ").Append(JsonSerializer.Serialize(config, ApiJsonContext.Wire.BackupConfig)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Removes a kept backup in <paramref name="dir"/>: its volume (<c>backup/</c><paramref name="volume"/>) and
    /// snapshot volumes (<c>backup/</c><paramref name="snapshots"/><c>/*</c>) through the pool's driver (btrfs
    /// subvolumes cannot be removed as plain directories), then the directory.
    /// </summary>
    public static async Task DeleteAsync(IStorageDriver driver, string dir, string volume, string snapshots)
    {
        var root = Path.Combine(dir, "backup");
        foreach (var snap in Directory.Exists(Path.Combine(root, snapshots)) ? Directory.GetDirectories(Path.Combine(root, snapshots)) : [])
        {
            await driver.DeleteVolumeAsync(snap, CancellationToken.None).ConfigureAwait(false);
        }

        if (Directory.Exists(Path.Combine(root, volume)))
        {
            await driver.DeleteVolumeAsync(Path.Combine(root, volume), CancellationToken.None).ConfigureAwait(false);
        }

        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>tar of <paramref name="entries"/> (relative to <paramref name="dir"/>, in that order) compressed into <paramref name="output"/> as it is made.</summary>
    public static async Task WriteTarballAsync(string dir, string compression, IEnumerable<string> entries, Stream output, CancellationToken cancellationToken)
    {
        var args = new List<string> { "--numeric-owner", "--xattrs", "--xattrs-include=*", "-C", dir, "-cf", "-" };
        if (compression is "xz" or "zstd" or "bzip2")
        {
            args.AddRange(["-I", compression == "xz" ? "xz -T0" : compression == "zstd" ? "zstd -T0" : "bzip2"]);
        }

        args.AddRange(entries);
        using var tar = ToolRunner.Start("tar", args, redirectInput: false);
        var stderr = tar.StandardError.ReadToEndAsync(cancellationToken);
        if (compression == "gzip")
        {
            await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            await tar.StandardOutput.BaseStream.CopyToAsync(gzip, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await tar.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }

        await tar.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (tar.ExitCode != 0)
        {
            throw new IOException($"tar failed while exporting a backup: {(await stderr.ConfigureAwait(false)).Trim()}");
        }
    }

    public static async Task UntarAsync(Stream input, string directory, IEnumerable<string> transforms, CancellationToken cancellationToken)
    {
        var args = new List<string> { "--numeric-owner", "--xattrs", "--xattrs-include=*", "--same-permissions", "-C", directory, "-xf", "-" };
        args.AddRange(transforms);
        using var tar = ToolRunner.Start("tar", args, redirectInput: true);
        var stderr = tar.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await input.CopyToAsync(tar.StandardInput.BaseStream, cancellationToken).ConfigureAwait(false);
            tar.StandardInput.Close();
        }
        catch (IOException)
        {
            // tar stopped reading (a corrupt archive): its exit status and stderr say why below.
        }
        catch (InvalidDataException e)
        {
            // The compressed stream is corrupt past the head: stop tar; the caller's undo removes what it wrote.
            tar.Kill();
            await tar.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ApiException(400, $"Invalid backup file: {e.Message}");
        }

        await tar.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (tar.ExitCode != 0)
        {
            // tar's first complaint names the problem ("tar: Unexpected EOF in archive"); the rest repeats it.
            var first = (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"tar exited with status {tar.ExitCode}";
            throw new ApiException(400, $"Invalid backup file: {first}");
        }
    }

    /// <summary>gzip is undone in-process; xz, zstd and bzip2 by their tools, fed from the request as it arrives.</summary>
    public static async Task<Decompressor> DecompressAsync(Stream body, CancellationToken cancellationToken)
    {
        var magic = new byte[6];
        var read = 0;
        for (int n; read < magic.Length && (n = await body.ReadAsync(magic.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0;)
        {
            read += n;
        }

        var input = new PrefixedStream(magic.AsMemory(0, read), body);
        string? tool = magic switch
        {
            [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] => "xz",
            [0x28, 0xb5, 0x2f, 0xfd, ..] => "zstd",
            [0x42, 0x5a, 0x68, ..] => "bzip2",
            _ => null,
        };
        if (magic is [0x1f, 0x8b, ..])
        {
            return new Decompressor(new GZipStream(input, CompressionMode.Decompress), null, Task.CompletedTask);
        }

        if (tool is null)
        {
            return new Decompressor(input, null, Task.CompletedTask);
        }

        var process = ToolRunner.Start(tool, ["-dc"], redirectInput: true);
        var feed = Task.Run(async () =>
        {
            try
            {
                await input.CopyToAsync(process.StandardInput.BaseStream, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                process.StandardInput.Close();
            }
        }, cancellationToken);
        return new Decompressor(process.StandardOutput.BaseStream, process, feed);
    }

    /// <summary>The decompressed tar stream and, for tool-based formats, the tool and the task feeding it.</summary>
    public sealed class Decompressor(Stream stream, Process? process, Task feed) : IDisposable
    {
        public Stream Stream => stream;

        public async Task CompleteAsync()
        {
            await feed.ConfigureAwait(false);
            if (process is not null)
            {
                await process.WaitForExitAsync().ConfigureAwait(false);
                if (process.ExitCode != 0)
                {
                    throw new ApiException(400, $"Invalid backup file: {process.StartInfo.FileName} could not decompress it");
                }
            }
        }

        public void Dispose()
        {
            stream.Dispose();
            if (process is { HasExited: false })
            {
                process.Kill();
            }

            process?.Dispose();
        }
    }
}
