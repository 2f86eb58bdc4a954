using System.Reflection;
using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>
/// Where berth-fork and libberth-lxc.so live: the directory named by BERTH_LIBEXEC, else next to the berthd
/// executable (<see cref="AppContext.BaseDirectory"/>).
/// </summary>
public static class BerthLibexec
{
    public const string EnvironmentVariable = "BERTH_LIBEXEC";
    public const string ForkHelperName = "berth-fork";
    public const string StopHookName = "berth-stophook";
    public const string ShimName = "libberth-lxc.so";

    private static int _resolverRegistered;

    public static string Directory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrEmpty(dir) ? AppContext.BaseDirectory : dir;
        }
    }

    /// <summary>Full path of berth-fork; throws <see cref="FileNotFoundException"/> with a hint when it is missing.</summary>
    public static string ForkHelperPath => Require(ForkHelperName);

    /// <summary>Full path of libberth-lxc.so; throws <see cref="FileNotFoundException"/> with a hint when it is missing.</summary>
    public static string ShimPath => Require(ShimName);

    private static string Require(string file)
    {
        var path = Path.Combine(Directory, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{file} not found in {Directory}: build it with 'make -C native/berth-fork' and install it next to berthd, or set {EnvironmentVariable}",
                path);
        }

        return path;
    }

    /// <summary>Maps <see cref="Interop.Libraries.BerthLxc"/> to <see cref="ShimPath"/> for this assembly's imports.</summary>
    internal static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref _resolverRegistered, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(BerthLibexec).Assembly, Resolve);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return libraryName == Interop.Libraries.BerthLxc ? NativeLibrary.Load(ShimPath) : 0;
    }
}
