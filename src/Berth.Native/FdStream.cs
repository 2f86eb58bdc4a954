using System.Buffers;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>
/// A <see cref="Stream"/> over a pipe end or a pty master that never parks a thread-pool thread in read(2) and that
/// closes promptly. The fd is made non-blocking; reads are done by one dedicated pump thread (started on the first
/// read) that waits in poll(2) on the fd and an eventfd, so <see cref="Stream.Dispose()"/> wakes it up. Writes are
/// attempted without blocking and only fall back to a dedicated thread when the peer is not reading.
/// End of stream: EOF on a pipe, EIO on a pty master once every slave fd is closed.
/// </summary>
public sealed class FdStream : Stream
{
    private const int ChunkSize = 16 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly SafeFileHandle _cancel;
    private readonly Channel<(byte[] Buffer, int Length)> _chunks =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });

    private readonly SemaphoreSlim _readGate = new(1, 1);
    private Thread? _pump;
    private byte[]? _current;
    private int _currentOffset;
    private int _currentLength;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="handle"/>.</summary>
    public FdStream(SafeFileHandle handle, bool canRead = true, bool canWrite = true)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _handle = handle;
        CanRead = canRead;
        CanWrite = canWrite;
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.SetNonBlocking(handle), "fcntl O_NONBLOCK");
        _cancel = new SafeFileHandle(
            Interop.IOErrors.ThrowIfError(Interop.BerthLxc.EventFd(), "eventfd"), ownsHandle: true);
    }

    public override bool CanRead { get; }

    public override bool CanWrite { get; }

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        return ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!CanRead)
        {
            throw new NotSupportedException("stream is write-only");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        await _readGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StartPump();
            if (_current is null)
            {
                if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)
                    || !_chunks.Reader.TryRead(out var chunk))
                {
                    return 0;
                }

                (_current, _currentOffset, _currentLength) = (chunk.Buffer, 0, chunk.Length);
            }

            var n = Math.Min(buffer.Length, _currentLength - _currentOffset);
            _current.AsSpan(_currentOffset, n).CopyTo(buffer.Span);
            _currentOffset += n;
            if (_currentOffset == _currentLength)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            return n;
        }
        finally
        {
            _readGate.Release();
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Write(buffer.AsSpan(offset, count));
    }

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        if (!CanWrite)
        {
            throw new NotSupportedException("stream is read-only");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        fixed (byte* p = buffer)
        {
            var n = Interop.BerthLxc.Write(_handle, p, (nuint)buffer.Length, _cancel);
            Interop.IOErrors.ThrowIfError((int)n, "write");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override unsafe ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!CanWrite)
        {
            throw new NotSupportedException("stream is read-only");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int written;
        fixed (byte* p = buffer.Span)
        {
            written = (int)Interop.BerthLxc.WriteNoWait(_handle, p, (nuint)buffer.Length, Interop.BerthLxc.NoWait);
        }

        Interop.IOErrors.ThrowIfError(written, "write");
        if (written == buffer.Length)
        {
            return ValueTask.CompletedTask;
        }

        // The peer is not reading: finish on a dedicated thread that Dispose can wake.
        var rest = buffer[written..];
        return new ValueTask(Task.Factory.StartNew(
            () => Write(rest.Span), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Wakes the pump and any blocked writer; the fd closes when the last of them lets go of the handle.
            // SafeHandle ref counts defer the actual close(2) until the pump and writers have let go.
            Interop.BerthLxc.EventFdSignal(_cancel);
            _chunks.Writer.TryComplete();
            _handle.Dispose();
            _cancel.Dispose();
            while (_chunks.Reader.TryRead(out var chunk))
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }

        base.Dispose(disposing);
    }

    private void StartPump()
    {
        if (_pump is not null)
        {
            return;
        }

        _pump = new Thread(Pump, maxStackSize: 128 * 1024) { IsBackground = true, Name = "fd pump" };
        _pump.Start();
    }

    private unsafe void Pump()
    {
        Exception? error = null;
        var added = false;
        var cancelAdded = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            _cancel.DangerousAddRef(ref cancelAdded);
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                nint n;
                fixed (byte* p = buffer)
                {
                    n = Interop.BerthLxc.Read(_handle, p, (nuint)buffer.Length, _cancel);
                }

                if (n <= 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    if (n < 0 && n != -Interop.IOErrors.ECANCELED)
                    {
                        error = Interop.IOErrors.GetException((int)-n, "read");
                    }

                    break;
                }

                // Back-pressure: at most 4 chunks wait for the reader.
                if (!_chunks.Writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult()
                    || !_chunks.Writer.TryWrite((buffer, (int)n)))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                if (_disposed != 0)
                {
                    break;
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }

            if (cancelAdded)
            {
                _cancel.DangerousRelease();
            }

            _chunks.Writer.TryComplete(error);
        }
    }
}
