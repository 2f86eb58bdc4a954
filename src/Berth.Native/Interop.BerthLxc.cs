using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    /// <summary>
    /// libberth-lxc.so: flat wrappers over the liblxc calls that do not fork (native/berth-fork/berth-lxc.c).
    /// Results are >= 0 or -errno; strings come back as malloc'd char* freed with berth_free.
    /// </summary>
    internal static partial class BerthLxc
    {
        static BerthLxc() => BerthLibexec.RegisterResolver();

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_last_error")]
        private static partial nint LastErrorPtr();

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_free")]
        internal static partial void Free(nint p);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_lxc_version")]
        internal static partial nint Version();

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_state", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int State(string lxcpath, string name, out nint state);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_state_pid", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int StatePid(string lxcpath, string name, out nint state, out int pid);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_init_pid", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int InitPid(string lxcpath, string name);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_init_pidfd", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int InitPidFd(string lxcpath, string name);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_devpts_fd", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int DevptsFd(string lxcpath, string name);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_freeze", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Freeze(string lxcpath, string name);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_unfreeze", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Unfreeze(string lxcpath, string name);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_stop", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Stop(string lxcpath, string name);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_shutdown", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Shutdown(string lxcpath, string name, int timeoutSeconds);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_get_cgroup_item", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int GetCgroupItem(string lxcpath, string name, string key, out nint value);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_set_cgroup_item", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SetCgroupItem(string lxcpath, string name, string key, string value);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_get_running_config_item", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int GetRunningConfigItem(string lxcpath, string name, string key, out nint value);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_set_running_config_item", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SetRunningConfigItem(string lxcpath, string name, string key, string value);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_check_config_file", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int CheckConfigFile(string lxcpath, string path);

        /// <summary>liblxc's error_string of the last failing call on this thread ("" if none).</summary>
        internal static string LastError() => Marshal.PtrToStringUTF8(LastErrorPtr()) ?? "";

        /// <summary>Copies and frees a string returned by the shim.</summary>
        internal static string TakeString(nint p)
        {
            try
            {
                return Marshal.PtrToStringUTF8(p) ?? "";
            }
            finally
            {
                Free(p);
            }
        }
    }
}
