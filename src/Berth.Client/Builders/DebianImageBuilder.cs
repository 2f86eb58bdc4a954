using System.Globalization;
using System.Runtime.InteropServices;

namespace Berth.Client.Builders;

/// <summary>
/// Builds a unified Debian image with debootstrap from the host's own apt mirror: systemd as init,
/// systemd-networkd doing DHCP on eth0, and the one unit an unprivileged container cannot start
/// (debugfs) masked so that the system reaches "running". Needs root and debootstrap.
/// </summary>
public static class DebianImageBuilder
{
    public const string DefaultRelease = "bookworm";
    public const string Debootstrap = "/usr/sbin/debootstrap";

    // What a useful minimal system needs on top of minbase; ifupdown is left out, networkd does DHCP.
    private const string Include = "systemd-sysv,systemd-resolved,dbus,iproute2,iputils-ping,procps,ca-certificates,netbase,less";

    private static readonly string[] ContainerMaskedUnits =
    [
        "sys-kernel-debug.mount", "sys-kernel-config.mount", "sys-fs-fuse-connections.mount", "dev-hugepages.mount",
        "systemd-modules-load.service", "modprobe@.service", "systemd-pstore.service", "systemd-hwdb-update.service",
        "systemd-journald-audit.socket", "systemd-network-generator.service", "e2scrub_reap.service",
        "systemd-remount-fs.service", "systemd-tmpfiles-setup-dev.service",
    ];

    private static readonly string[] ContainerMaskedGenerators =
    [
        "systemd-cryptsetup-generator", "systemd-integritysetup-generator", "systemd-veritysetup-generator",
        "systemd-hibernate-resume-generator", "systemd-gpt-auto-generator", "systemd-system-update-generator",
        "systemd-debug-generator", "systemd-run-generator",
    ];

    /// <summary>Writes the image to <paramref name="output"/> (a work directory beside it is removed afterwards) and returns its description.</summary>
    public static async Task<string> BuildAsync(string output, string release = DefaultRelease, string? mirror = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentException.ThrowIfNullOrEmpty(release);
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("Building a Debian image runs debootstrap, which needs root");
        }

        if (!File.Exists(Debootstrap))
        {
            throw new InvalidOperationException($"{Debootstrap} not found: install debootstrap (apt-get install debootstrap)");
        }

        mirror ??= AptSources.MirrorFor(release)
            ?? throw new InvalidOperationException($"No apt source of this host serves \"{release}\" main: pass the mirror to use");
        var now = DateTimeOffset.UtcNow;
        var (arch, debArch) = Architectures();
        var serial = now.ToString("yyyyMMdd'_'HHmm", CultureInfo.InvariantCulture);
        var description = $"Debian {release} {debArch} (debootstrap from {mirror}) ({serial})";

        var work = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "debian-work");
        var rootfs = Path.Combine(work, "rootfs");
        Directory.CreateDirectory(work);
        try
        {
            await BuildProcess.RunAsync(Debootstrap, ["--variant=minbase", "--include=" + Include, "--arch=" + debArch, release, rootfs, mirror], progress, cancellationToken).ConfigureAwait(false);
            progress?.Invoke("I: Configuring the container system...");
            await ConfigureAsync(rootfs, progress, cancellationToken).ConfigureAwait(false);
            WriteMetadata(work, arch, debArch, release, description, serial, now);
            progress?.Invoke("I: Packing the image...");
            await BuildProcess.RunAsync("tar", ["--numeric-owner", "--xattrs", "--xattrs-include=*", "--exclude=rootfs/dev/*", "-czf", output, "-C", work, "metadata.yaml", "templates", "rootfs"], progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // debootstrap leaves proc/sys mounted only on failure; unmount before deleting so the host's stay intact.
            foreach (var mount in new[] { "proc", "sys" })
            {
                var target = Path.Combine(rootfs, mount);
                if (IsMountPoint(target))
                {
                    await BuildProcess.RunAsync("umount", ["-l", target], null, CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (!IsMountPoint(Path.Combine(rootfs, "proc")) && !IsMountPoint(Path.Combine(rootfs, "sys")))
            {
                Directory.Delete(work, recursive: true);
            }
        }

        return description;
    }

    private static async Task ConfigureAsync(string rootfs, Action<string>? progress, CancellationToken cancellationToken)
    {
        string At(string path) => Path.Combine(rootfs, path.TrimStart('/'));
        await File.WriteAllTextAsync(At("/etc/hostname"), "debian\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(At("/etc/hosts"), "127.0.0.1 localhost\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(At("/etc/fstab"), "", cancellationToken).ConfigureAwait(false);

        // Each container gets its own machine id at first boot.
        await File.WriteAllTextAsync(At("/etc/machine-id"), "", cancellationToken).ConfigureAwait(false);
        File.Delete(At("/var/lib/dbus/machine-id"));

        Directory.CreateDirectory(At("/etc/systemd/network"));
        await File.WriteAllTextAsync(At("/etc/systemd/network/eth0.network"), """
            [Match]
            Name=eth0

            [Network]
            DHCP=yes

            [DHCPv4]
            UseDomains=true

            """, cancellationToken).ConfigureAwait(false);
        await BuildProcess.RunAsync("chroot", [rootfs, "systemctl", "enable", "systemd-networkd.service", "systemd-resolved.service"], progress, cancellationToken).ConfigureAwait(false);

        // debugfs cannot be mounted in a user namespace: masked, or the system stays "degraded". The rest are
        // masked for the same reason distrobuilder's container generator masks its list: they load kernel modules
        // (no kmod in the image; a container cannot anyway), mount kernel filesystems a user namespace cannot, or
        // read the kernel command line, hardware and block devices a container does not have. liblxc mounts the
        // root (the fstab is empty: nothing to remount) and fills /dev (no static nodes to make). Each still costs
        // a process and a place in the boot's critical chain.
        foreach (var unit in ContainerMaskedUnits)
        {
            var mask = At("/etc/systemd/system/" + unit);
            File.Delete(mask);
            File.CreateSymbolicLink(mask, "/dev/null");
        }

        // Generators for disks, encryption, hibernation and offline updates find nothing in a container, nor do
        // those that read the kernel command line (debug, run).
        Directory.CreateDirectory(At("/etc/systemd/system-generators"));
        foreach (var generator in ContainerMaskedGenerators)
        {
            var mask = At("/etc/systemd/system-generators/" + generator);
            File.Delete(mask);
            File.CreateSymbolicLink(mask, "/dev/null");
        }

        // Package caches and indexes are not part of an image.
        foreach (var dir in new[] { "/var/cache/apt/archives", "/var/lib/apt/lists" })
        {
            foreach (var file in Directory.EnumerateFiles(At(dir), "*", SearchOption.TopDirectoryOnly))
            {
                File.Delete(file);
            }
        }

        // systemd-sysusers runs at every boot while /etc/.updated is older than /usr (ConditionNeedsUpdate), and
        // Debian ships no systemd-update-done to write it: the users are made here once, and the stamps written
        // last (newer than /usr) say so, as an upgrade that changes /usr will again.
        await BuildProcess.RunAsync("chroot", [rootfs, "systemd-sysusers"], progress, cancellationToken).ConfigureAwait(false);
        var stamp = $"""
            # This file was created by berth image build, standing in for systemd-update-done. Its only
            # purpose is to hold a timestamp of the time this directory was updated.
            TIMESTAMP_NSEC={(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture)}

            """;
        await File.WriteAllTextAsync(At("/etc/.updated"), stamp, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(At("/var/.updated"), stamp, cancellationToken).ConfigureAwait(false);
    }

    private static void WriteMetadata(string work, string arch, string debArch, string release, string description, string serial, DateTimeOffset now)
    {
        File.WriteAllText(Path.Combine(work, "metadata.yaml"), $"""
            architecture: {arch}
            creation_date: {now.ToUnixTimeSeconds()}
            properties:
              architecture: {debArch}
              description: {description}
              name: debian-{release}-{debArch}-default-{serial}
              os: debian
              release: {release}
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
        var templates = Path.Combine(work, "templates");
        Directory.CreateDirectory(templates);
        File.WriteAllText(Path.Combine(templates, "hostname.tpl"), "{{ container.name }}\n");
        File.WriteAllText(Path.Combine(templates, "hosts.tpl"), "127.0.0.1 localhost\n127.0.1.1 {{ container.name }}\n::1 localhost ip6-localhost ip6-loopback\n");
    }

    private static (string Arch, string DebArch) Architectures() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => ("x86_64", "amd64"),
        Architecture.Arm64 => ("aarch64", "arm64"),
        var other => throw new InvalidOperationException($"No Debian architecture known for {other}"),
    };

    private static bool IsMountPoint(string path) =>
        Directory.Exists(path) && File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);
}
