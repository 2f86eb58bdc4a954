using System.Text;
using Berth.Server.Config;

namespace Berth.Server.Instances;

/// <summary>
/// A container's liblxc seccomp policy (<c>lxc.seccomp.profile</c>), written as LXD 5.0 writes it (checked against
/// its security/seccomp/&lt;name&gt; files on this machine): a deny-list of the module, kexec and
/// open_by_handle_at syscalls plus a refusal of forced umounts, <c>security.syscalls.deny_compat</c>'s 32-bit entry
/// points, the user's <c>security.syscalls.deny</c>; or <c>security.syscalls.allow</c> as an allow-list; or
/// <c>raw.seccomp</c> verbatim. Null when nothing is asked for (<c>deny_default=false</c> alone), as LXD then sets none.
/// <c>security.syscalls.intercept.mknod</c> and <c>.setxattr</c> send those syscalls to the notify proxy (berth-fork
/// seccomp) and forbid the container a seccomp listener or tracer of its own, which would bypass it.
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

    /// <summary>With interception, the container may not install its own seccomp listener or trace filter (LXD's lines).</summary>
    private const string NotifyDisallow =
        "seccomp errno 22 [1,2146435072,SCMP_CMP_MASKED_EQ,2146435072]\n" +
        "seccomp errno 22 [1,8,SCMP_CMP_MASKED_EQ,8]\n";

    /// <summary>mknod and mknodat of char (S_IFCHR) and block (S_IFBLK) nodes go to the proxy; fifos and sockets do not.</summary>
    private const string NotifyMknod =
        "mknod notify [1,8192,SCMP_CMP_MASKED_EQ,61440]\n" +
        "mknod notify [1,24576,SCMP_CMP_MASKED_EQ,61440]\n" +
        "mknodat notify [2,8192,SCMP_CMP_MASKED_EQ,61440]\n" +
        "mknodat notify [2,24576,SCMP_CMP_MASKED_EQ,61440]\n";

    /// <summary>One-byte setxattr values (trusted.overlay.opaque = "y") go to the proxy.</summary>
    private const string NotifySetxattr = "setxattr notify [3,1,SCMP_CMP_EQ]\n";

    /// <summary>The intercept keys berthd acts on; the proxy handles exactly these syscalls.</summary>
    public static readonly string[] InterceptedSyscalls = ["mknod", "setxattr"];

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
        var intercept = Intercepts(config);
        if (allow.Length > 0)
        {
            return "2\nallowlist\n[all]\n" + allow + intercept;
        }

        if (!denyDefault && !denyCompat && deny.Length == 0 && intercept.Length == 0)
        {
            return null;
        }

        var policy = new StringBuilder("2\ndenylist\n[all]\n");
        if (denyDefault)
        {
            policy.Append(DefaultDenies);
        }

        policy.Append(intercept);

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

    /// <summary>Whether the instance needs the notify proxy (an intercept key berthd acts on is true).</summary>
    public static bool NeedsProxy(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return InterceptedSyscalls.Any(s => ValueChecks.IsTrue(config.GetValueOrDefault("security.syscalls.intercept." + s) ?? ""));
    }

    private static string Intercepts(IReadOnlyDictionary<string, string> config)
    {
        if (!NeedsProxy(config))
        {
            return "";
        }

        var lines = NotifyDisallow;
        if (ValueChecks.IsTrue(config.GetValueOrDefault("security.syscalls.intercept.mknod") ?? ""))
        {
            lines += NotifyMknod;
        }

        if (ValueChecks.IsTrue(config.GetValueOrDefault("security.syscalls.intercept.setxattr") ?? ""))
        {
            lines += NotifySetxattr;
        }

        return lines;
    }
}
