using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Native;

namespace Berth.Daemon.Commands;

/// <summary>
/// <c>berthd forkproxy &lt;pid&gt; &lt;listen&gt; &lt;connect&gt;</c>: a proxy device's forwarder (LXD's forkproxy). It listens on
/// the host, then one thread enters the container's network namespace and makes every outgoing connection there;
/// bytes are copied both ways. It prints "ok" (or the error) once listening, and exits when the container's init does.
/// </summary>
internal static class ForkProxyCommand
{
    private static readonly TimeSpan InitPoll = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var pid = new Argument<int>("pid") { Description = "The container's init pid" };
        var listen = new Argument<string>("listen") { Description = "tcp:<address>:<port> on the host" };
        var connect = new Argument<string>("connect") { Description = "tcp:<address>:<port> in the container" };
        var command = new Command("forkproxy", "Internal: forward a proxy device's connections") { pid, listen, connect };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) =>
        {
            Socket listener;
            IPEndPoint target;
            try
            {
                target = Endpoint(parse.GetValue(connect)!);
                var bind = Endpoint(parse.GetValue(listen)!);
                listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(bind);
                listener.Listen(128);
            }
            catch (Exception e) when (e is SocketException or FormatException or ArgumentException)
            {
                await Console.Out.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 1;
            }

            await Console.Out.WriteLineAsync("ok").ConfigureAwait(false);
            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            Console.Out.Close();
            var initPid = parse.GetValue(pid);
            var thread = new Thread(() => AcceptLoop(listener, target, initPid)) { IsBackground = true, Name = "forkproxy" };
            thread.Start();
            while (Directory.Exists($"/proc/{initPid.ToString(CultureInfo.InvariantCulture)}"))
            {
                await Task.Delay(InitPoll, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Runs on its own thread, which lives in the container's network namespace, so its connects land there.</summary>
    private static void AcceptLoop(Socket listener, IPEndPoint target, int pid)
    {
        NetNamespace.EnterThread(pid);
        while (true)
        {
            var client = listener.Accept();
            var upstream = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                upstream.Connect(target);
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            _ = PumpAsync(client, upstream);
        }
    }

    private static async Task PumpAsync(Socket client, Socket upstream)
    {
        using (client)
        using (upstream)
        {
            await Task.WhenAny(CopyAsync(client, upstream), CopyAsync(upstream, client)).ConfigureAwait(false);
        }
    }

    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary><c>tcp:127.0.0.1:80</c> or <c>tcp:[::1]:80</c>; only TCP with one port is forwarded by this berthd.</summary>
    internal static IPEndPoint Endpoint(string address)
    {
        if (!address.StartsWith("tcp:", StringComparison.Ordinal))
        {
            throw new FormatException($"Only tcp:<address>:<port> proxies are supported by this berthd yet: \"{address}\"");
        }

        var rest = address[4..];
        var colon = rest.LastIndexOf(':');
        var host = rest[..colon].Trim('[', ']');
        if (host is "" or "0.0.0.0")
        {
            host = "0.0.0.0";
        }

        return new IPEndPoint(IPAddress.Parse(host), int.Parse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
    }
}
