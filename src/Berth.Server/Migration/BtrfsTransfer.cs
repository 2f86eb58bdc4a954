namespace Berth.Server.Migration;

/// <summary>
/// Subvolumes over a migration fs channel with <c>btrfs send</c> and <c>btrfs receive</c>, one stream per segment,
/// each snapshot sent against the one before it. Used between two berthd whose pools are both btrfs: the data
/// travels as extents, uncompressed and without rsync's per-file checksums and file-list walk.
/// </summary>
public static class BtrfsTransfer
{
    /// <summary>
    /// A private field of the migration offer (<c>MigrationHeader</c> field 1000, unknown to LXD, which skips it):
    /// "my pool is btrfs and I speak <see cref="BtrfsTransfer"/>". The offer still says RSYNC, so an LXD target
    /// answers RSYNC as before; a berthd target with a btrfs pool answers BTRFS.
    /// </summary>
    public const int OfferField = 1000;

    /// <summary>Sends the read-only subvolume <paramref name="subvolume"/>, as a delta to <paramref name="parent"/> when given.</summary>
    public static async Task SendAsync(string subvolume, string? parent, MigrationSocket fs, Action<long>? progress, CancellationToken cancellationToken)
    {
        List<string> args = ["send", "-q"];
        if (parent is not null)
        {
            args.AddRange(["-p", parent]);
        }

        args.Add(subvolume);
        using var send = RsyncTransfer.Start(args, tool: "btrfs");
        using var abort = cancellationToken.Register(() => RsyncTransfer.Kill(send));
        var stderr = send.StandardError.ReadToEndAsync(CancellationToken.None);
        await SegmentPump.ToSocketAsync(send.StandardOutput.BaseStream, fs, progress, cancellationToken).ConfigureAwait(false);
        await send.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (send.ExitCode != 0)
        {
            throw new InvalidOperationException($"Btrfs send failed: {subvolume}: exit status {send.ExitCode} ({(await stderr.ConfigureAwait(false)).Trim()})");
        }
    }

    /// <summary>Receives one stream into the empty directory <paramref name="directory"/>; returns the received subvolume.</summary>
    public static async Task<string> ReceiveAsync(string directory, MigrationSocket fs, Action<long>? progress, CancellationToken cancellationToken)
    {
        using var receive = RsyncTransfer.Start(["receive", "-q", directory], redirectInput: true, tool: "btrfs");
        using var abort = cancellationToken.Register(() => RsyncTransfer.Kill(receive));
        var stderr = receive.StandardError.ReadToEndAsync(CancellationToken.None);
        _ = receive.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stdin = receive.StandardInput.BaseStream;
        await SegmentPump.FromSocketAsync(fs, stdin, stdin.Dispose, cancellationToken, progress).ConfigureAwait(false);
        await receive.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (receive.ExitCode != 0)
        {
            throw new InvalidOperationException($"Btrfs receive failed: exit status {receive.ExitCode} ({(await stderr.ConfigureAwait(false)).Trim()})");
        }

        var received = Directory.GetDirectories(directory);
        return received.Length == 1 ? received[0] : throw new InvalidOperationException("Btrfs receive did not create exactly one subvolume");
    }
}
