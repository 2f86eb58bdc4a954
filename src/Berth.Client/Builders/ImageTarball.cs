using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Berth.Client.Builders;

/// <summary>Writes a unified LXD image (gzip tar: metadata.yaml, templates/, rootfs/) entry by entry, owned by root.</summary>
internal sealed class ImageTarball : IDisposable
{
    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private readonly TarWriter _tar;
    private readonly DateTimeOffset _mtime;

    public ImageTarball(string path, DateTimeOffset mtime)
    {
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        _gzip = new GZipStream(_file, CompressionLevel.Optimal);
        _tar = new TarWriter(_gzip, TarEntryFormat.Gnu, leaveOpen: false);
        _mtime = mtime;
    }

    public void Directory(string name, UnixFileMode mode = (UnixFileMode)0b111_101_101) =>
        Write(new GnuTarEntry(TarEntryType.Directory, name.TrimEnd('/') + "/") { Mode = mode });

    public void Text(string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100) =>
        Write(new GnuTarEntry(TarEntryType.RegularFile, name) { Mode = mode, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    public void File(string name, string source, UnixFileMode mode)
    {
        using var data = System.IO.File.OpenRead(source);
        Write(new GnuTarEntry(TarEntryType.RegularFile, name) { Mode = mode, DataStream = data });
    }

    public void Symlink(string name, string target) =>
        Write(new GnuTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0b111_111_111 });

    public void Dispose()
    {
        _tar.Dispose();
        _gzip.Dispose();
        _file.Dispose();
    }

    private void Write(GnuTarEntry entry)
    {
        entry.Uid = 0;
        entry.Gid = 0;
        entry.UserName = "root";
        entry.GroupName = "root";
        entry.ModificationTime = _mtime;
        _tar.WriteEntry(entry);
    }
}
