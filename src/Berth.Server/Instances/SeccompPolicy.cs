using System.Text;
using Berth.Server.Config;

namespace Berth.Server.Instances;

/// <summary>
/// A container's liblxc seccomp policy (<c>lxc.seccomp.profile</c>), written as LXD 5.0 writes it (checked against
/// its security/seccomp/&lt;name&gt; files on this machine): a deny-list of the module, kexec and
/// open_by_handle_at syscalls plus a refusal of forced umounts, <c>security.syscalls.deny_compat</c>'s 32-bit entry
/// points, the user's <c>security.syscalls.deny</c>; or <c>security.syscalls.allow</c> as an allow-list; or
/// <c>raw.seccomp</c> verbatim. Null when nothing is asked for (<c>deny_default=false</c> alone), as LXD then sets none.
/// </summary>
public static class SeccompPolicy
{
    private const string DefaultDenies =
        "reject_force_umount  # comment this to allow umount -f;  not recommended\n" +
        "[all]\n" +
        "kexec_load errno 38\n" +
        "open_by_handle_at errno 38\n" +
        "init_module errno 38\n" +
        "finit_module errno 38\n" +
        "delete_module errno 38\n";

    /// <summary>x86_64's compat (32-bit and x32) entry points, denied by <c>security.syscalls.deny_compat</c>.</summary>
    private static readonly string[] CompatSyscalls =
    [
        "compat_sys_rt_sigaction", "stub_x32_rt_sigreturn", "compat_sys_ioctl", "compat_sys_readv", "compat_sys_writev",
        "compat_sys_recvfrom", "compat_sys_sendmsg", "compat_sys_recvmsg", "stub_x32_execve", "compat_sys_ptrace",
        "compat_sys_rt_sigpending", "compat_sys_rt_sigtimedwait", "compat_sys_rt_sigqueueinfo", "compat_sys_sigaltstack",
        "compat_sys_timer_create", "compat_sys_mq_notify", "compat_sys_kexec_load", "compat_sys_waitid",
        "compat_sys_set_robust_list", "compat_sys_get_robust_list", "compat_sys_vmsplice", "compat_sys_move_pages",
        "compat_sys_preadv64", "compat_sys_pwritev64", "compat_sys_rt_tgsigqueueinfo", "compat_sys_recvmmsg",
        "compat_sys_sendmmsg", "compat_sys_process_vm_readv", "compat_sys_process_vm_writev", "compat_sys_setsockopt",
        "compat_sys_getsockopt", "compat_sys_io_setup", "compat_sys_io_submit", "stub_x32_execveat",
    ];

    /// <summary>The capabilities a privileged container loses (an unprivileged one's are bounded by its user namespace).</summary>
    public const string PrivilegedCapDrop = "sys_time sys_module sys_rawio mac_admin mac_override";

    public static string? Render(IReadOnlyDictionary<string, string> config, string architecture)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.GetValueOrDefault("raw.seccomp") is { Length: > 0 } raw)
        {
            return raw;
        }

        var allow = config.GetValueOrDefault("security.syscalls.allow") ?? "";
        var deny = config.GetValueOrDefault("security.syscalls.deny") ?? "";
        var denyDefault = !ValueChecks.IsFalse(config.GetValueOrDefault("security.syscalls.deny_default") ?? "");
        var denyCompat = ValueChecks.IsTrue(config.GetValueOrDefault("security.syscalls.deny_compat") ?? "") && architecture == "x86_64";
        if (allow.Length > 0)
        {
            return "2\nallowlist\n[all]\n" + allow;
        }

        if (!denyDefault && !denyCompat && deny.Length == 0)
        {
            return null;
        }

        var policy = new StringBuilder("2\ndenylist\n[all]\n");
        if (denyDefault)
        {
            policy.Append(DefaultDenies);
        }

        if (denyCompat)
        {
            policy.Append("[x86_64]\n");
            foreach (var syscall in CompatSyscalls)
            {
                policy.Append(syscall).Append(" errno 38\n");
            }
        }

        return policy.Append(deny).ToString();
    }
}
