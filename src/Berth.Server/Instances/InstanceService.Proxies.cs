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
        var proxies = instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "proxy").OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        if (proxies.Count == 0)
        {
            return;
        }

        var pid = _runtime.InitPid(name);
        var helper = BerthLibexec.ForkHelperPath;
        var shift = instance.ExpandedConfig.GetValueOrDefault("security.privileged") is "true" or "1" ? 0 : _settings.Value.Idmap.Base;
        foreach (var (device, proxy) in proxies)
        {
            if (IsNat(proxy))
            {
                try
                {
                    await StartNatProxyAsync(instance, device, proxy, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiException)
                {
                    StopProxies(name);
                    throw;
                }

                continue;
            }

            var start = new ProcessStartInfo(helper) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var arg in ProxyArguments(pid, proxy, shift))
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

                StopProxies(name);
                throw new ApiException(400, $"Error occurred when starting proxy device \"{device}\": {(answer.StartsWith("error: ", StringComparison.Ordinal) ? answer[7..] : answer)}");
            }

            await File.WriteAllTextAsync(ProxyPidFile(name, device), process.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hot-plug: when a running container's proxy devices changed, its forwarders are restarted to match; if one cannot
    /// start (a port already taken), the previous record and forwarders are put back and the update fails.
    /// </summary>
    private async Task ApplyProxyChangesAsync(string project, string name, Instance previous, CancellationToken cancellationToken)
    {
        if (StatusOf(_runtime.State(name)) != StatusCode.Running)
        {
            return;
        }

        static string Proxies(Instance i) => string.Join('\n', i.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "proxy")
            .OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Key + "=" + string.Join(',', d.Value.OrderBy(kv => kv.Key, StringComparer.Ordinal))));
        var before = Expand(_store.Snapshot(), previous);
        if (Proxies(before) == Proxies(Get(project, name)))
        {
            return;
        }

        try
        {
            await StartProxiesAsync(project, name, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException)
        {
            await RecordAsync(project, name, _ => previous, CancellationToken.None).ConfigureAwait(false);
            await StartProxiesAsync(project, name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

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
            if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsForkProxy(pid))
            {
                NativeProcess.Kill(pid, NativeProcess.SIGTERM);
            }

            File.Delete(file);
        }

        StopNatProxies(dir);
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
