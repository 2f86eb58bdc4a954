using System.Security.Cryptography;

namespace Berth.Server.Images;

/// <summary>
/// Writes an upload or a download to a file in the images dir in 1 MiB chunks, hashing each chunk on another thread
/// while it is written and the next one is received: sha256 of a 67 MB image is 50-70 ms of a core here, as much
/// as receiving and writing it. Fill <see cref="Next"/>, then <see cref="CommitAsync"/> what was put there.
/// </summary>
public sealed class ImageFileWriter : IAsyncDisposable
{
    private const int ChunkSize = 1 << 20;

    private readonly FileStream _file;
    private readonly IncrementalHash[] _hashes;
    private readonly byte[][] _buffers = [new byte[ChunkSize], new byte[ChunkSize]];
    private Task _hashing = Task.CompletedTask;
    private int _turn;

    public ImageFileWriter(string path, IncrementalHash[] hashes)
    {
        _hashes = hashes;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
    }

    public long Written { get; private set; }

    /// <summary>Where the next chunk goes: hashed two commits ago, and that hash was awaited at the last commit.</summary>
    public Memory<byte> Next => _buffers[_turn];

    public async Task CommitAsync(int count, CancellationToken cancellationToken)
    {
        await _hashing.ConfigureAwait(false);
        if (count == 0)
        {
            return;
        }

        var chunk = new ReadOnlyMemory<byte>(_buffers[_turn], 0, count);
        var hashes = _hashes;
        _hashing = Task.Run(() => Append(hashes, chunk.Span), CancellationToken.None);
        _turn ^= 1;
        await _file.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        Written += count;
    }

    /// <summary>Copies a whole stream; returns its length.</summary>
    public static async Task<long> CopyAsync(Stream source, string path, IncrementalHash[] hashes, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await using var writer = new ImageFileWriter(path, hashes);
        int read;
        do
        {
            read = await source.ReadAtLeastAsync(writer.Next, ChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            await writer.CommitAsync(read, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(writer.Written);
        }
        while (read > 0);

        return writer.Written;
    }

    /// <summary>Waits for the last hash (the caller reads the hashes next, or drops them), then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _hashing.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    private static void Append(IncrementalHash[] hashes, ReadOnlySpan<byte> chunk)
    {
        foreach (var hash in hashes)
        {
            hash.AppendData(chunk);
        }
    }
}
