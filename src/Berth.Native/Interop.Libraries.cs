namespace Berth.Native;

/// <summary>Names of the native libraries berthd binds to.</summary>
internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libc = "libc";
        internal const string LibLxc = "liblxc.so.1";

        /// <summary>Berth's own shim (native/berth-fork), found through <see cref="BerthLibexec"/>.</summary>
        internal const string BerthLxc = "libberth-lxc";
    }
}
