using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Berth.Client.Builders;

/// <summary>
/// Builds a unified busybox image from the host's busybox-static: busybox init as PID 1, udhcpc on eth0,
/// templates for /etc/hostname and /etc/hosts. Needs no network.
/// </summary>
public static partial class BusyboxImageBuilder
{
    public const string DefaultBusybox = "/bin/busybox";

    /// <summary>Writes the image to <paramref name="output"/> and returns its description.</summary>
    public static string Build(string output, string busybox = DefaultBusybox)
    {
        if (!File.Exists(busybox))
        {
            throw new FileNotFoundException($"{busybox} not found: install busybox-static (apt-get install busybox-static)", busybox);
        }

        var (version, applets) = Inspect(busybox);
        var now = DateTimeOffset.UtcNow;
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        };
        var serial = now.ToString("yyyyMMdd'_'HHmm", System.Globalization.CultureInfo.InvariantCulture);
        var description = $"Busybox {version} (static, from the host's busybox-static) {arch} ({serial})";

        using var tar = new ImageTarball(output, now);
        tar.Text("metadata.yaml", $"""
            architecture: {arch}
            creation_date: {now.ToUnixTimeSeconds()}
            properties:
              architecture: {arch}
              description: {description}
              name: busybox-{version}-{arch}
              os: busybox
              release: {version}
              serial: "{serial}"
              variant: default
            templates:
              /etc/hostname:
                when: [create, copy, rename]
                template: hostname.tpl
              /etc/hosts:
                when: [create, copy, rename]
                template: hosts.tpl

            """);
        tar.Directory("templates");
        tar.Text("templates/hostname.tpl", "{{ container.name }}\n");
        tar.Text("templates/hosts.tpl", "127.0.0.1 localhost\n127.0.1.1 {{ container.name }}\n::1 localhost ip6-localhost ip6-loopback\n");

        tar.Directory("rootfs");
        foreach (var dir in new[] { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/share", "usr/share/udhcpc", "etc", "etc/init.d", "dev", "proc", "sys", "run", "var", "var/log", "mnt", "home", "root" })
        {
            tar.Directory("rootfs/" + dir, dir == "root" ? (UnixFileMode)0b111_000_000 : (UnixFileMode)0b111_101_101);
        }

        tar.Directory("rootfs/tmp", (UnixFileMode)0b1_111_111_111);
        tar.File("rootfs/bin/busybox", busybox, (UnixFileMode)0b111_101_101);
        foreach (var applet in applets.Where(a => a != "/bin/busybox").Distinct(StringComparer.Ordinal))
        {
            tar.Symlink("rootfs" + applet, RelativeTo(applet, "/bin/busybox"));
        }

        tar.Symlink("rootfs/var/run", "../run");
        tar.Symlink("rootfs/var/tmp", "../tmp");
        tar.Text("rootfs/etc/hostname", "busybox\n");
        tar.Text("rootfs/etc/hosts", "127.0.0.1 localhost\n");
        tar.Text("rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        tar.Text("rootfs/etc/group", "root:x:0:\n");
        tar.Text("rootfs/etc/shadow", "root:*:19000:0:99999:7:::\n", (UnixFileMode)0b110_000_000);
        tar.Text("rootfs/etc/resolv.conf", "");
        tar.Text("rootfs/etc/inittab", """
            ::sysinit:/etc/init.d/rcS
            console::respawn:-/bin/sh
            ::ctrlaltdel:/sbin/reboot
            ::shutdown:/bin/umount -a -r

            """);
        // DHCP starts first and in the background: the lease is what a network user waits for, and the rest of the
        // script (or a slow fork on a loaded host) need not come before it. The hook runs `ip` only when there is
        // something to change: no flush before the first lease, no `link up` when liblxc already brought eth0 up.
        tar.Text("rootfs/etc/init.d/rcS", """
            #!/bin/sh
            # Busybox init's start script: DHCP on eth0 in the background first, then tmpfs, hostname and loopback.
            mount -t tmpfs tmpfs /run 2>/dev/null
            # udhcpc is this script's child until its first lease: no hangup when the script ends first.
            trap '' HUP
            if [ -e /sys/class/net/eth0 ]; then
                udhcpc -b -i eth0 -s /usr/share/udhcpc/default.script -p /run/udhcpc.eth0.pid >/dev/null 2>&1 &
            fi
            mount -t tmpfs tmpfs /tmp 2>/dev/null
            hostname -F /etc/hostname
            ip link set lo up

            """, (UnixFileMode)0b111_101_101);
        tar.Text("rootfs/usr/share/udhcpc/default.script", """
            #!/bin/sh
            # udhcpc hook: apply the lease to the interface, the default route and resolv.conf.
            bound=/run/udhcpc.$interface.bound
            case "$1" in
                deconfig)
                    [ -e "$bound" ] && { ip -4 addr flush dev "$interface"; rm -f "$bound"; }
                    read -r flags < "/sys/class/net/$interface/flags"
                    [ $((flags & 1)) = 1 ] || ip link set "$interface" up
                    ;;
                bound|renew)
                    current=
                    [ -e "$bound" ] && read -r current < "$bound"
                    if [ "$current" != "$ip/${mask:-24}" ]; then
                        [ -e "$bound" ] && ip -4 addr flush dev "$interface"
                        ip -4 addr add "$ip/${mask:-24}" dev "$interface"
                        echo "$ip/${mask:-24}" > "$bound"
                    fi
                    if [ -n "$router" ]; then
                        ip -4 route replace default via "${router%% *}" dev "$interface"
                    fi
                    : > /etc/resolv.conf
                    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
                    for s in $dns; do echo "nameserver $s" >> /etc/resolv.conf; done
                    ;;
            esac
            exit 0

            """, (UnixFileMode)0b111_101_101);
        return description;
    }

    private static (string Version, List<string> Applets) Inspect(string busybox)
    {
        var banner = Run(busybox, []);
        var version = VersionPattern().Match(banner) is { Success: true } m ? m.Groups[1].Value : "unknown";
        var applets = Run(busybox, ["--list-full"]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => "/" + a.TrimStart('/'))
            .Where(a => a.Count(c => c == '/') <= 3)
            .ToList();
        return (version, applets);
    }

    private static string RelativeTo(string link, string target)
    {
        var depth = link.Count(c => c == '/') - 1;
        return string.Concat(Enumerable.Repeat("../", depth)) + target.TrimStart('/');
    }

    private static string Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"BusyBox v([0-9][0-9.]*)")]
    private static partial Regex VersionPattern();
}
