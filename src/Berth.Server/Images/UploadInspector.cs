using System.IO.Compression;
using System.IO.Pipelines;

namespace Berth.Server.Images;

/// <summary>
/// Inspects a unified image while it is uploaded: each chunk written to disk is also fed through a bounded pipe to
/// a decompressing scanner on another thread, so the check that reads every byte (a truncated tarball is refused)
/// overlaps the upload instead of following it. Gzip and plain tarballs only; other formats are inspected from the
/// file after the upload, as before.
/// </summary>
public sealed class UploadInspector : IAsyncDisposable
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, useSynchronizationContext: false));
    private Task<ImageContents>? _scan;
    private bool _decided;
    private bool _completed;

    /// <summary>Feeds the next chunk; the first one decides whether the format is scanned in-process.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (!_decided)
        {
            _decided = true;
            var kind = Compression.Detect(chunk.Span[..Math.Min(chunk.Length, Compression.HeadLength)]);
            if (kind is not (FileKind.Gzip or FileKind.Tar))
            {
                return;
            }

            _scan = Task.Run(() => Scan(kind), CancellationToken.None);
        }

        if (_scan is null || _completed)
        {
            return;
        }

        // A scanner that stopped early (a corrupt archive) completes the reader: its result says why, so feeding stops.
        var result = await _pipe.Writer.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        _completed = result.IsCompleted;
    }

    /// <summary>Ends the input; the scan's result, or null when the format is left to the inspection after the upload.</summary>
    public async Task<Task<ImageContents>?> CompleteAsync()
    {
        if (_scan is null)
        {
            return null;
        }

        _completed = true;
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        return _scan;
    }

    public async ValueTask DisposeAsync()
    {
        if (_scan is not null && !_completed)
        {
            // An upload that failed: the scanner sees an error instead of waiting for more bytes.
            _completed = true;
            await _pipe.Writer.CompleteAsync(new OperationCanceledException("upload ended")).ConfigureAwait(false);
            await ((Task)_scan).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private ImageContents Scan(FileKind kind)
    {
        try
        {
            var input = _pipe.Reader.AsStream();
            using var tar = kind == FileKind.Gzip ? new GZipStream(input, CompressionMode.Decompress) : input;
            return ImageArchive.InspectUnified(tar, kind);
        }
        finally
        {
            _pipe.Reader.Complete();
        }
    }
}
