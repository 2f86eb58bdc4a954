using System.Diagnostics;
using System.Globalization;
using Berth.Api;
using Berth.Native;

namespace Berth.Server.Instances;

public sealed partial class InstanceService
{
    private static readonly TimeSpan ProxyStartTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Starts a forwarder (<c>berth-fork forkproxy</c>, a small C process using splice) per proxy device of a running
    /// container; it is its own process, so forwarding outlives berthd restarts. A listen address that cannot be bound
    /// fails the start.
    /// </summary>
    private async Task StartProxiesAsync(string project, string name, CancellationToken cancellationToken)
    {
        StopProxies(name);
        var instance = Get(project, name);
        foreach (var (device, proxy) in ProxyDevices(instance))
        {
            try
            {
                await StartProxyAsync(instance, device, proxy, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException)
            {
                StopProxies(name);
                throw;
            }
        }
    }

    private static List<KeyValuePair<string, Dictionary<string, string>>> ProxyDevices(Instance instance) =>
        [.. instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "proxy").OrderBy(d => d.Key, StringComparer.Ordinal)];

    /// <summary>One proxy device of a running instance: its NAT rules, or its forwarder once it says it listens.</summary>
    private async Task StartProxyAsync(Instance instance, string device, Dictionary<string, string> proxy, CancellationToken cancellationToken)
    {
        if (IsNat(proxy))
        {
            await StartNatProxyAsync(instance, device, proxy, cancellationToken).ConfigureAwait(false);
            return;
        }

        var shift = instance.ExpandedConfig.GetValueOrDefault("security.privileged") is "true" or "1" ? 0 : _settings.Value.Idmap.Base;
        var start = new ProcessStartInfo(BerthLibexec.ForkHelperPath) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in ProxyArguments(_runtime.InitPid(instance.Name), proxy, shift))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new ApiException(500, "Failed to start the proxy forwarder");
        process.StandardInput.Close();
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProxyStartTimeout);
        var answer = (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) ?? "").Trim();
        if (answer != "ok")
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            throw new ApiException(400, $"Error occurred when starting proxy device \"{device}\": {(answer.StartsWith("error: ", StringComparison.Ordinal) ? answer[7..] : answer)}");
        }

        await File.WriteAllTextAsync(ProxyPidFile(instance.Name, device), process.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hot-plug: when a running container's proxy devices changed, the changed ones are restarted to match; if one
    /// cannot start (a port already taken), the previous record and forwarders are put back and the update fails.
    /// </summary>
    private async Task ApplyProxyChangesAsync(string project, string name, Instance previous, CancellationToken cancellationToken)
    {
        if (StatusOf(_runtime.State(name)) != StatusCode.Running)
        {
            return;
        }

        try
        {
            await SyncProxiesAsync(Expand(_store.Snapshot(), previous), Get(project, name), cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException)
        {
            await RecordAsync(project, name, _ => previous, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Brings a running instance's forwarders from <paramref name="before"/>'s proxy devices to <paramref name="after"/>'s,
    /// touching only the devices that were added, removed or changed (the others keep their connections). If a new one
    /// cannot start, what was started is stopped and the previous forwarders are started again before the error.
    /// </summary>
    internal async Task SyncProxiesAsync(Instance before, Instance after, CancellationToken cancellationToken)
    {
        var old = ProxyDevices(before).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        var now = ProxyDevices(after).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        var (gone, added) = ProxyChanges(old, now);
        gone.ForEach(d => StopProxy(after.Name, d));
        var started = new List<string>();
        try
        {
            foreach (var device in added)
            {
                await StartProxyAsync(after, device, now[device], cancellationToken).ConfigureAwait(false);
                started.Add(device);
            }
        }
        catch (ApiException)
        {
            started.ForEach(d => StopProxy(after.Name, d));
            foreach (var device in gone)
            {
                try
                {
                    await StartProxyAsync(before, device, old[device], CancellationToken.None).ConfigureAwait(false);
                }
                catch (ApiException)
                {
                    // Best effort: the old device's port may be the one now refused.
                }
            }

            throw;
        }
    }

    /// <summary>The devices to stop (removed or changed) and to start (added or changed), each in name order.</summary>
    internal static (List<string> Stop, List<string> Start) ProxyChanges(
        IReadOnlyDictionary<string, Dictionary<string, string>> before, IReadOnlyDictionary<string, Dictionary<string, string>> after) =>
        ([.. before.Keys.Where(d => !after.TryGetValue(d, out var n) || !SameDevice(before[d], n)).Order(StringComparer.Ordinal)],
         [.. after.Keys.Where(d => !before.TryGetValue(d, out var o) || !SameDevice(o, after[d])).Order(StringComparer.Ordinal)]);

    private static bool SameDevice(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>
    /// The forwarder's arguments: init pid, listen, connect, bind side; for a unix listener its owner (host ids: on the
    /// instance side the container's ids shifted into its idmap) and mode, 0644 by default as in LXD.
    /// </summary>
    private static List<string> ProxyArguments(int pid, Dictionary<string, string> proxy, long shift)
    {
        var bind = proxy.GetValueOrDefault("bind") is "instance" or "container" or "vm" ? "instance" : "host";
        var listen = proxy.GetValueOrDefault("listen") ?? "";
        var args = new List<string> { "forkproxy", pid.ToString(CultureInfo.InvariantCulture), listen, proxy.GetValueOrDefault("connect") ?? "", bind };
        if (listen.StartsWith("unix:", StringComparison.Ordinal) && !listen.StartsWith("unix:@", StringComparison.Ordinal))
        {
            var offset = bind == "instance" ? shift : 0;
            var uid = long.Parse(proxy.GetValueOrDefault("uid") ?? "0", CultureInfo.InvariantCulture) + offset;
            var gid = long.Parse(proxy.GetValueOrDefault("gid") ?? "0", CultureInfo.InvariantCulture) + offset;
            args.AddRange([uid.ToString(CultureInfo.InvariantCulture), gid.ToString(CultureInfo.InvariantCulture), proxy.GetValueOrDefault("mode") ?? "0644"]);
        }

        return args;
    }

    /// <summary>Stops the container's forwarders (by their pid files, checking each is still a forkproxy).</summary>
    private void StopProxies(string name)
    {
        var dir = _paths.LxcDir(name);
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(dir, "proxy.*.pid"))
        {
            StopForwarder(file);
        }

        StopNatProxies(dir);
    }

    /// <summary>Stops one proxy device of a container: its forwarder or its NAT table.</summary>
    private void StopProxy(string name, string device)
    {
        var file = ProxyPidFile(name, device);
        if (File.Exists(file))
        {
            StopForwarder(file);
        }

        StopNatProxy(NatFile(name, device));
    }

    private static void StopForwarder(string pidFile)
    {
        if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsForkProxy(pid))
        {
            NativeProcess.Kill(pid, NativeProcess.SIGTERM);
        }

        File.Delete(pidFile);
    }

    private string ProxyPidFile(string name, string device) => Path.Combine(_paths.LxcDir(name), $"proxy.{device}.pid");

    private static bool IsForkProxy(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Contains("forkproxy", StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
