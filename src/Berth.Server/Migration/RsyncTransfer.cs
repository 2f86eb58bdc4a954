using System.Diagnostics;
using System.Net.Sockets;
using Berth.Native;

namespace Berth.Server.Migration;

/// <summary>
/// A directory over a migration fs channel with rsync, as LXD 5.0's lxd/rsync does: the sender runs the rsync client
/// with <c>berth-fork netcat</c> as its remote shell (joined to us by a unix socket), the receiver runs
/// <c>rsync --server</c> on pipes; each transfer is one segment per direction on the websocket.
/// </summary>
public static class RsyncTransfer
{
    /// <summary>The features both LXD 5.0 and Berth offer.</summary>
    public static readonly IReadOnlyList<string> Features = ["xattrs", "delete", "compress", "bidirectional"];

    public static async Task SendAsync(string path, MigrationSocket fs, IReadOnlyCollection<string> features, Action<long>? progress, CancellationToken cancellationToken)
    {
        var dir = Directory.CreateTempSubdirectory("berth-rsync-");
        try
        {
            var socketPath = Path.Combine(dir.FullName, "s");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            var args = new List<string> { "-ar", "--devices", "--numeric-ids", "--partial", "--sparse" };
            args.AddRange(FeatureArgs(features));
            args.AddRange([path.TrimEnd('/') + "/", "localhost:/tmp/foo", "-e", $"{BerthLibexec.ForkHelperPath} netcat {socketPath}"]);
            using var rsync = Start(args);
            var stderr = rsync.StandardError.ReadToEndAsync(CancellationToken.None);
            _ = rsync.StandardOutput.ReadToEndAsync(CancellationToken.None);
            Socket connection;
            using (var accept = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                accept.CancelAfter(TimeSpan.FromSeconds(10));
                try
                {
                    connection = await listener.AcceptAsync(accept.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Kill(rsync);
                    throw new InvalidOperationException($"rsync failed to spawn: {(await stderr.ConfigureAwait(false)).Trim()}");
                }
            }

            using (connection)
            {
                using var abort = cancellationToken.Register(() => Kill(rsync));
                await using var stream = new NetworkStream(connection, ownsSocket: false);
                var outgoing = SegmentPump.ToSocketAsync(stream, fs, progress, cancellationToken);
                var incoming = SegmentPump.FromSocketAsync(fs, stream, () => connection.Shutdown(SocketShutdown.Send), cancellationToken);
                await rsync.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                await Task.WhenAll(outgoing, incoming).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (rsync.ExitCode != 0)
                {
                    throw new InvalidOperationException($"Rsync send failed: {path}: exit status {rsync.ExitCode} ({(await stderr.ConfigureAwait(false)).Trim()})");
                }
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Receives into <paramref name="path"/>. <paramref name="overExisting"/>: the tree there came from an earlier
    /// transfer (a snapshot, a first pass), so rsync's size-and-mtime quick check is switched off: a file rewritten
    /// with the same size within the same second would otherwise keep its old content. The option is the
    /// receiver's own (its generator), so the sender, LXD's or ours, is unaffected.
    /// </summary>
    public static async Task ReceiveAsync(string path, MigrationSocket fs, IReadOnlyCollection<string> features, bool overExisting, Action<long>? progress, CancellationToken cancellationToken)
    {
        var args = new List<string> { "--server", "-vlogDtpre.iLsfx", "--numeric-ids", "--devices", "--partial", "--sparse" };
        if (overExisting)
        {
            args.Add("--ignore-times");
        }

        args.AddRange(FeatureArgs(features));
        args.AddRange([".", path]);
        using var rsync = Start(args, redirectInput: true);
        using var abort = cancellationToken.Register(() => Kill(rsync));
        var stderr = rsync.StandardError.ReadToEndAsync(CancellationToken.None);
        var outgoing = SegmentPump.ToSocketAsync(rsync.StandardOutput.BaseStream, fs, null, cancellationToken);
        var stdin = rsync.StandardInput.BaseStream;
        var incoming = SegmentPump.FromSocketAsync(fs, stdin, stdin.Dispose, cancellationToken, progress);
        await rsync.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAll(outgoing, incoming).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (rsync.ExitCode != 0)
        {
            throw new InvalidOperationException($"Rsync receive failed: {path}: exit status {rsync.ExitCode} ({(await stderr.ConfigureAwait(false)).Trim()})");
        }
    }

    private static IEnumerable<string> FeatureArgs(IReadOnlyCollection<string> features)
    {
        if (features.Contains("xattrs"))
        {
            yield return "--xattrs";
            yield return "--filter=-x security.selinux";
        }

        if (features.Contains("delete"))
        {
            yield return "--delete";
        }

        if (features.Contains("compress"))
        {
            yield return "--compress";
            yield return "--compress-level=2";
        }
    }

    internal static Process Start(List<string> args, bool redirectInput = false, string tool = "rsync")
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Failed to run {tool}");
    }

    internal static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
