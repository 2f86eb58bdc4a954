using System.Net.Sockets;

namespace Berth.Server.Migration;

/// <summary>
/// Moves bytes between a local process (rsync, btrfs send/receive) and one segment of the migration fs channel.
/// </summary>
internal static class SegmentPump
{
    /// <summary>
    /// One websocket message per read: a pipe read returns at most what the pipe holds (64 KiB), so a larger buffer
    /// only matters for sockets; no flush is needed, the websocket writes each message through.
    /// </summary>
    private const int BufferSize = 256 * 1024;

    /// <summary>Local bytes onto the websocket as binary messages, then the end-of-segment barrier.</summary>
    public static async Task ToSocketAsync(Stream source, MigrationSocket fs, Action<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        int read;
        try
        {
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await fs.SendMessageAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                progress?.Invoke(total);
            }
        }
        catch (IOException)
        {
            // The local end went away: the process's exit status tells what happened.
        }

        await fs.EndSegmentAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The peer's segment into the local end until its barrier. Bytes the local end no longer takes (the process
    /// exited) are drained, so the next segment starts clean.
    /// </summary>
    public static async Task FromSocketAsync(MigrationSocket fs, Stream target, Action close, CancellationToken cancellationToken, Action<long>? progress = null)
    {
        var buffer = new byte[BufferSize];
        var open = true;
        long total = 0;
        int read;
        while ((read = await fs.ReadSegmentAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            progress?.Invoke(total);
            if (!open)
            {
                continue;
            }

            try
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                open = false;
            }
        }

        try
        {
            close();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}
