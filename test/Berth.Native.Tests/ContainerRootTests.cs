using System.Text;

namespace Berth.Native.Tests;

/// <summary>Paths resolved under a root directory with openat2(RESOLVE_IN_ROOT): nothing reaches the host.</summary>
public sealed class ContainerRootTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "berth-root-" + Guid.NewGuid().ToString("N")[..10]);

    public ContainerRootTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "etc"));
        Directory.CreateDirectory(Path.Combine(_dir, "tmp"));
        File.WriteAllText(Path.Combine(_dir, "etc", "passwd"), "inside\n");
        File.CreateSymbolicLink(Path.Combine(_dir, "tmp", "l"), "../../../../etc/passwd");
        File.CreateSymbolicLink(Path.Combine(_dir, "tmp", "up"), "../../../../../");
        File.CreateSymbolicLink(Path.Combine(_dir, "tmp", "etc"), "/etc");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Components_FoldsDotsLexically()
    {
        Assert.Equal(["etc", "passwd"], ContainerRoot.Components("/tmp/../../../etc/./passwd"));
        Assert.Empty(ContainerRoot.Components("/.."));
    }

    [Fact]
    public void Stat_Symlink_IsTheLinkItself()
    {
        NativeRequirements.RequireHelper();
        using var root = ContainerRoot.Open(_dir);

        Assert.Equal(UnixFileType.Symlink, root.Stat("/tmp/l")!.Type);
        Assert.Equal("../../../../etc/passwd", root.ReadLink("/tmp/l"));
        Assert.Null(root.Stat("/no/such/file"));
        Assert.Throws<FileNotFoundException>(() => root.OpenRead("/no/such/file"));
        Assert.Throws<InvalidDataException>(() => root.OpenRead("/tmp/l"));
    }

    [Fact]
    public void OpenRead_ThroughEscapingSymlinks_StaysInside()
    {
        NativeRequirements.RequireHelper();
        using var root = ContainerRoot.Open(_dir);

        Assert.Equal("inside\n", Read(root, "/tmp/up/etc/passwd"));
        Assert.Equal("inside\n", Read(root, "/tmp/etc/passwd"));
        Assert.Equal("inside\n", Read(root, "tmp/../../../etc/passwd"));
    }

    [Fact]
    public void OpenWrite_ThroughAbsoluteSymlink_CreatesInside()
    {
        NativeRequirements.RequireHelper();
        var name = "berth-test-" + Guid.NewGuid().ToString("N")[..8];
        using var root = ContainerRoot.Open(_dir);

        using (var handle = root.OpenWrite("/tmp/etc/" + name, append: false, 0x1A4, FsIds.None, out var created))
        using (var stream = new FileStream(handle, FileAccess.Write))
        {
            Assert.True(created);
            stream.Write("x"u8);
        }

        Assert.True(File.Exists(Path.Combine(_dir, "etc", name)));
        Assert.False(File.Exists(Path.Combine("/etc", name)));
        Assert.Equal(new[] { "passwd", name }.Order(StringComparer.Ordinal), root.List("/etc").Order(StringComparer.Ordinal));
        root.Delete("/etc/" + name);
        Assert.Null(root.Stat("/etc/" + name));
        Assert.Throws<InvalidDataException>(() => root.Delete("/"));
    }

    private static string Read(ContainerRoot root, string path)
    {
        using var stream = new FileStream(root.OpenRead(path), FileAccess.Read);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
