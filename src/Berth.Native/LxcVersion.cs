using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>liblxc's version string, or "" when liblxc is not installed (it is optional until instances exist).</summary>
public static class LxcVersion
{
    private static readonly Lazy<string> Lazy = new(Read);

    public static string Value => Lazy.Value;

    private static unsafe string Read()
    {
        if (!NativeLibrary.TryLoad(Interop.Libraries.LibLxc, out var handle))
        {
            return "";
        }

        if (!NativeLibrary.TryGetExport(handle, "lxc_get_version", out var export))
        {
            return "";
        }

        var getVersion = (delegate* unmanaged<nint>)export;
        return Marshal.PtrToStringUTF8(getVersion()) ?? "";
    }
}
