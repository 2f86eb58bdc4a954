using System.Text;

namespace Berth.Client.Transport;

/// <summary>
/// A connection with a read buffer: response heads are read line by line, and whatever arrived after the head is
/// served first to the body (or, after an upgrade, to the websocket). Writes go straight to the connection.
/// </summary>
internal sealed class BufferedReader(Stream inner) : Stream
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>One line without its CRLF, or null at the end of the stream.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return line.Length == 0 ? null : line.ToString();
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            line.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0)
            {
                return line.ToString().TrimEnd('\r');
            }

            if (line.Length > 64 * 1024)
            {
                throw new HttpRequestException("An HTTP header line from the daemon is too long");
            }
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            var count = Math.Min(buffer.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(buffer);
            _start += count;
            return count;
        }

        return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_start < _end)
        {
            var n = Math.Min(count, _end - _start);
            Array.Copy(_buffer, _start, buffer, offset, n);
            _start += n;
            return n;
        }

        return inner.Read(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }
}
