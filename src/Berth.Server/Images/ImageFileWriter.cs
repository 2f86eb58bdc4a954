using System.Security.Cryptography;

namespace Berth.Server.Images;

/// <summary>Copies a download to a file in the images dir, hashing on the way and reporting bytes done.</summary>
internal static class ImageFileWriter
{
    private const int BufferSize = 1 << 20;

    public static async Task<long> CopyAsync(Stream source, string path, IncrementalHash[] hashes, Action<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        long total = 0;
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            foreach (var hash in hashes)
            {
                hash.AppendData(buffer, 0, read);
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            total += read;
            progress?.Invoke(total);
        }

        return total;
    }
}
