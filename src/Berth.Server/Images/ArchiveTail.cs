using System.Buffers.Binary;

namespace Berth.Server.Images;

/// <summary>
/// Whether a (compressed) tarball ends the way a complete one does, read from its last bytes only. An import that
/// passes reads just the archive's head before answering and checks every byte right after (see
/// <see cref="ImageVerifier"/>); one that fails is read to the end first, so a cut-off file is refused at once.
/// </summary>
public static class ArchiveTail
{
    private const int TarBlock = 512;

    public static bool LooksComplete(string path, FileKind kind)
    {
        using var file = File.OpenRead(path);
        return kind switch
        {
            FileKind.Gzip => GzipLooksComplete(file),
            FileKind.Xz => XzLooksComplete(file),
            FileKind.Tar => TarLooksComplete(file),
            // bzip2's end marker is not byte-aligned and zstd/lzma have no trailer: always read to the end.
            _ => false,
        };
    }

    /// <summary>
    /// gzip ends with the uncompressed size mod 2^32, and a tar is whole 512-byte blocks: a file cut at a random
    /// point passes by chance once in 512. A multi-member gzip whose last member is not whole blocks fails here
    /// and is simply read to the end.
    /// </summary>
    private static bool GzipLooksComplete(FileStream file)
    {
        Span<byte> trailer = stackalloc byte[4];
        if (file.Length < 18 + 4 || !ReadAt(file, file.Length - 4, trailer))
        {
            return false;
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        return size != 0 && size % TarBlock == 0;
    }

    /// <summary>An xz stream ends with a footer: its stream flags repeat the header's, then the magic "YZ".</summary>
    private static bool XzLooksComplete(FileStream file)
    {
        Span<byte> header = stackalloc byte[8];
        Span<byte> footer = stackalloc byte[12];
        if (file.Length < 32 || !ReadAt(file, 0, header) || !ReadAt(file, file.Length - footer.Length, footer))
        {
            return false;
        }

        return footer[10] == (byte)'Y' && footer[11] == (byte)'Z' && footer[8] == header[6] && footer[9] == header[7];
    }

    /// <summary>A plain tar is whole blocks and ends with two zero blocks.</summary>
    private static bool TarLooksComplete(FileStream file)
    {
        Span<byte> end = stackalloc byte[2 * TarBlock];
        return file.Length % TarBlock == 0 && ReadAt(file, file.Length - end.Length, end) && !end.ContainsAnyExcept((byte)0);
    }

    private static bool ReadAt(FileStream file, long offset, Span<byte> into)
    {
        if (offset < 0)
        {
            return false;
        }

        file.Position = offset;
        return file.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) == into.Length;
    }
}
