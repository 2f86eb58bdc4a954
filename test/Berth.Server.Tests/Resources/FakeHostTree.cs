namespace Berth.Server.Tests.Resources;

/// <summary>A throw-away root with <c>proc/</c> and <c>sys/</c> below it, filled file by file like the kernel's.</summary>
internal sealed class FakeHostTree : IDisposable
{
    public FakeHostTree()
    {
        Root = Directory.CreateTempSubdirectory("berth-resources-").FullName;
        Directory.CreateDirectory(ProcRoot);
        Directory.CreateDirectory(SysRoot);
    }

    public string Root { get; }

    public string ProcRoot => Path.Combine(Root, "proc");

    public string SysRoot => Path.Combine(Root, "sys");

    /// <summary>Writes <paramref name="content"/> at a path relative to the root, creating directories.</summary>
    public FakeHostTree File(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content + "\n");
        return this;
    }

    public FakeHostTree Dir(string relative)
    {
        Directory.CreateDirectory(Path.Combine(Root, relative));
        return this;
    }

    /// <summary>Creates a symbolic link with a relative target, as sysfs uses.</summary>
    public FakeHostTree Link(string relative, string target)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return this;
    }

    public Berth.Api.Resources Read() => Berth.Server.Resources.HostResources.Read(ProcRoot, SysRoot);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
