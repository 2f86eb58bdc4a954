using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class BerthLxc
    {
        internal const int ResolveNoXdev = 0x01;
        internal const int ResolveNoMagicLinks = 0x02;
        internal const int ResolveNoSymlinks = 0x04;
        internal const int ResolveBeneath = 0x08;
        internal const int ResolveInRoot = 0x10;

        internal const int ORdOnly = 0x0;
        internal const int OWrOnly = 0x1;
        internal const int OExcl = 0x80;
        internal const int OTrunc = 0x200;
        internal const int OAppend = 0x400;
        internal const int ODirectory = 0x10000;
        internal const int ONoFollow = 0x20000;
        internal const int OPath = 0x200000;

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_openat2", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int OpenAt2(SafeHandle dirfd, string path, int flags, int mode, int resolve);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_openat2", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int OpenAt2(int dirfd, string path, int flags, int mode, int resolve);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_fstat")]
        internal static partial int Fstat(SafeHandle fd, out BerthStat stat);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_create_at", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int CreateAt(SafeHandle dirfd, string name, int flags, int mode, int fsuid, int fsgid);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_mkdir_at", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int MkdirAt(SafeHandle dirfd, string name, int mode, int fsuid, int fsgid);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_symlink_at", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SymlinkAt(string target, SafeHandle dirfd, string name, int fsuid, int fsgid);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_fchown")]
        internal static partial int Fchown(SafeHandle fd, int uid, int gid);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_fchmod_path")]
        internal static partial int FchmodPath(SafeHandle fd, int mode);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_readlink_fd")]
        internal static unsafe partial int ReadlinkFd(SafeHandle fd, byte* buffer, int length);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_unlink_at", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int UnlinkAt(SafeHandle dirfd, string name, int removeDir);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_console_getfd", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int ConsoleGetFd(string lxcpath, string name, int ttynum, out int ptx);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_console_clear", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int ConsoleClear(string lxcpath, string name);

        /// <summary>Mirrors <c>struct berth_stat</c> in berth-lxc.c.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct BerthStat
        {
            public uint Mode;
            public uint Uid;
            public uint Gid;
            public uint Pad;
            public long Size;
            public long MtimeSec;
            public long MtimeNsec;
        }
    }
}
