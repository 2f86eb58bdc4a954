using System.Text;

namespace Berth.Client.Transport;

/// <summary>One part of a multipart/form-data body: its form name and file name.</summary>
public sealed record MultipartPart(string Name, string FileName);

/// <summary>
/// Reads a multipart/form-data body part by part, streaming each part's bytes to a destination: a split image
/// export (metadata + rootfs) can be gigabytes, so nothing is held in memory beyond one buffer.
/// </summary>
public sealed class MultipartFileReader
{
    private const int HeaderLimit = 16 * 1024;
    private readonly Stream _body;
    private readonly byte[] _delimiter;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private bool _started;
    private bool _finished;

    public MultipartFileReader(Stream body, string boundary)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(boundary);
        _body = body;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
    }

    /// <summary>
    /// Copies the next part into the stream <paramref name="open"/> returns for it; null when the body has no more
    /// parts. A body cut short or malformed is an <see cref="InvalidDataException"/>.
    /// </summary>
    public async Task<(MultipartPart Part, long Size)?> CopyNextAsync(Func<MultipartPart, Stream> open, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (!_started)
        {
            // The first boundary has no CRLF before it (any preamble is skipped).
            _started = true;
            await SkipToAsync(_delimiter.AsMemory(2), cancellationToken).ConfigureAwait(false);
            await ReadBoundaryEndAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_finished)
        {
            return null;
        }

        var part = await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
        var destination = open(part);
        long size = 0;
        while (true)
        {
            var found = _buffer.AsSpan(_start, _end - _start).IndexOf(_delimiter);
            var safe = found >= 0 ? found : Math.Max(0, _end - _start - (_delimiter.Length - 1));
            if (safe > 0)
            {
                await destination.WriteAsync(_buffer.AsMemory(_start, safe), cancellationToken).ConfigureAwait(false);
                size += safe;
                _start += safe;
            }

            if (found >= 0)
            {
                _start += _delimiter.Length;
                break;
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("The multipart body ended inside a part");
            }
        }

        await ReadBoundaryEndAsync(cancellationToken).ConfigureAwait(false);
        return (part, size);
    }

    /// <summary>After a boundary: <c>--</c> ends the body, CRLF starts a part.</summary>
    private async Task ReadBoundaryEndAsync(CancellationToken cancellationToken)
    {
        while (_end - _start < 2)
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("The multipart body ended after a boundary");
            }
        }

        var tail = _buffer.AsSpan(_start, 2);
        _start += 2;
        if (tail.SequenceEqual("--"u8))
        {
            _finished = true;
        }
        else if (!tail.SequenceEqual("\r\n"u8))
        {
            throw new InvalidDataException("Malformed multipart boundary");
        }
    }

    private async Task SkipToAsync(ReadOnlyMemory<byte> marker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = _buffer.AsSpan(_start, _end - _start).IndexOf(marker.Span);
            if (found >= 0)
            {
                _start += found + marker.Length;
                return;
            }

            _start = Math.Max(_start, _end - (marker.Length - 1));
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("The multipart body has no boundary");
            }
        }
    }

    private async Task<MultipartPart> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        int found;
        while ((found = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end - _start > HeaderLimit || !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("Malformed multipart part headers");
            }
        }

        var headers = Encoding.UTF8.GetString(_buffer, _start, found);
        _start += found + 4;
        string name = "", fileName = "";
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                name = Parameter(line[(colon + 1)..], "name");
                fileName = Parameter(line[(colon + 1)..], "filename");
            }
        }

        return new MultipartPart(name, fileName);
    }

    /// <summary>A parameter of a Content-Disposition value (<c>form-data; name="rootfs"; filename="x.squashfs"</c>).</summary>
    internal static string Parameter(string value, string key)
    {
        foreach (var piece in value.Split(';'))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && piece[..eq].Trim().Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return piece[(eq + 1)..].Trim().Trim('"');
            }
        }

        return "";
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("Malformed multipart body");
        }

        var read = await _body.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }
}
