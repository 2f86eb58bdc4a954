using System.Net.WebSockets;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// Copies instance <paramref name="sourceName"/> of <paramref name="source"/> to this server as LXD's client does
    /// between two servers: <c>pull</c> (the default) has this server dial the source's migration operation,
    /// <c>push</c> has the source dial this server's, <c>relay</c> has the client connect to both and carry the
    /// websockets. <paramref name="request"/> holds the new instance (name, config, devices, profiles); its
    /// <c>source</c> is filled in here. Each server address is tried in turn, as lxc does.
    /// </summary>
    public async Task MigrateInstanceFromAsync(BerthClient source, string sourceName, InstancesPost request, string mode, bool live, bool instanceOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        request.Source = new InstanceSource { Type = "migration", Live = live, InstanceOnly = instanceOnly, ContainerOnly = instanceOnly };
        var sourceRequest = new InstancePost { Migration = true, Live = live, InstanceOnly = instanceOnly, ContainerOnly = instanceOnly };
        switch (mode)
        {
            case "push":
                {
                    var target = await ConnectionInfoAsync(this, "target", cancellationToken).ConfigureAwait(false);
                    request.Source.Mode = "push";
                    var targetOperation = await StartOperationAsync(HttpMethod.Post, "/1.0/instances", request, ApiJsonContext.Wire.InstancesPost, cancellationToken).ConfigureAwait(false);
                    sourceRequest.Target = new InstancePostTarget { Certificate = target.Certificate, Websockets = Secrets(targetOperation) };
                    await TryAddressesAsync(target.Addresses, "migration", async address =>
                    {
                        sourceRequest.Target.Operation = $"{address}/1.0/operations/{Uri.EscapeDataString(targetOperation.Id)}";
                        var (response, _) = await source.SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(sourceName)}", sourceRequest, ApiJsonContext.Wire.InstancePost, cancellationToken: cancellationToken).ConfigureAwait(false);
                        await source.WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                    await WaitOperationAsync(targetOperation.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return;
                }

            case "relay":
                {
                    var sourceOperation = await source.StartOperationAsync(HttpMethod.Post, $"/1.0/instances/{Escape(sourceName)}", sourceRequest, ApiJsonContext.Wire.InstancePost, cancellationToken).ConfigureAwait(false);
                    request.Source.Mode = "push";
                    var targetOperation = await StartOperationAsync(HttpMethod.Post, "/1.0/instances", request, ApiJsonContext.Wire.InstancesPost, cancellationToken).ConfigureAwait(false);
                    await RelayAsync(source, sourceOperation, targetOperation, cancellationToken).ConfigureAwait(false);
                    await Task.WhenAll(
                        source.WaitOperationAsync(sourceOperation.Id, cancellationToken: cancellationToken),
                        WaitOperationAsync(targetOperation.Id, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    return;
                }

            case "pull":
                {
                    var info = await ConnectionInfoAsync(source, "source", cancellationToken).ConfigureAwait(false);
                    var sourceOperation = await source.StartOperationAsync(HttpMethod.Post, $"/1.0/instances/{Escape(sourceName)}", sourceRequest, ApiJsonContext.Wire.InstancePost, cancellationToken).ConfigureAwait(false);
                    request.Source.Mode = "pull";
                    request.Source.Certificate = info.Certificate;
                    request.Source.Websockets = Secrets(sourceOperation);
                    await TryAddressesAsync(info.Addresses, "instance creation", async address =>
                    {
                        request.Source.Operation = $"{address}/1.0/operations/{Uri.EscapeDataString(sourceOperation.Id)}";
                        var (response, _) = await SendJsonAsync(HttpMethod.Post, "/1.0/instances", request, ApiJsonContext.Wire.InstancesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
                        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                    await source.WaitOperationAsync(sourceOperation.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return;
                }

            default:
                throw new ApiException(400, $"Invalid migration mode \"{mode}\": pull, push or relay");
        }
    }

    /// <summary>A request answered by an operation, which is returned without waiting for it.</summary>
    private async Task<Operation> StartOperationAsync<T>(HttpMethod method, string path, T body, global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var (response, _) = await SendJsonAsync(method, path, body, type, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Type == ResponseType.Async
            ? response.Metadata.Deserialize(ApiJsonContext.Wire.Operation)!
            : throw new ApiException(500, "Expected an operation from the server");
    }

    private static Dictionary<string, string> Secrets(Operation operation)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in operation.Metadata ?? [])
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                secrets[name] = value.GetString()!;
            }
        }

        return secrets;
    }

    /// <summary>The server's HTTPS addresses (as URLs) and certificate, which the other server needs to reach it.</summary>
    private static async Task<(List<string> Addresses, string Certificate)> ConnectionInfoAsync(BerthClient client, string role, CancellationToken cancellationToken)
    {
        var (server, _) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
        var addresses = server.Environment.Addresses.Select(a => "https://" + a).ToList();
        return addresses.Count == 0
            ? throw new ApiException(400, $"The {role} server isn't listening on the network")
            : (addresses, server.Environment.Certificate);
    }

    /// <summary>Runs <paramref name="attempt"/> on each address until one succeeds; all failures are reported together.</summary>
    private static async Task TryAddressesAsync(List<string> addresses, string what, Func<string, Task> attempt)
    {
        var errors = new List<string>();
        foreach (var address in addresses)
        {
            try
            {
                await attempt(address).ConfigureAwait(false);
                return;
            }
            catch (ApiException e)
            {
                errors.Add($" - {address}: {e.Message}");
            }
        }

        throw new ApiException(500, $"Failed {what}:\n{string.Join('\n', errors)}");
    }

    /// <summary>
    /// Relay mode: each websocket of the source operation joined to the same-named one of the target operation,
    /// messages forwarded both ways with their type, until either side closes (as LXD's ws.Proxy).
    /// </summary>
    private async Task RelayAsync(BerthClient source, Operation sourceOperation, Operation targetOperation, CancellationToken cancellationToken)
    {
        var sourceSecrets = Secrets(sourceOperation);
        var targetSecrets = Secrets(targetOperation);
        if (sourceSecrets.Keys.Except(targetSecrets.Keys).FirstOrDefault() is { } missing)
        {
            throw new ApiException(500, $"Missing target secret for \"{missing}\"");
        }

        var pairs = new List<(WebSocket Source, WebSocket Target)>();
        try
        {
            // The control socket first: the servers wait for it before the data sockets.
            foreach (var name in sourceSecrets.Keys.OrderBy(n => n == "control" ? 0 : 1))
            {
                var from = await source.ConnectOperationSocketAsync(sourceOperation.Id, sourceSecrets[name], cancellationToken).ConfigureAwait(false);
                var to = await ConnectOperationSocketAsync(targetOperation.Id, targetSecrets[name], cancellationToken).ConfigureAwait(false);
                pairs.Add((from, to));
            }

            await Task.WhenAll(pairs.Select(p => ProxyAsync(p.Source, p.Target, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (from, to) in pairs)
            {
                from.Dispose();
                to.Dispose();
            }
        }
    }

    private static async Task ProxyAsync(WebSocket a, WebSocket b, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var forward = ForwardAsync(a, b, stop.Token);
        var backward = ForwardAsync(b, a, stop.Token);
        await Task.WhenAny(forward, backward).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var socket in new[] { a, b })
        {
            socket.Abort();
        }

        try
        {
            await Task.WhenAll(forward, backward).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Copies messages from <paramref name="input"/> to <paramref name="output"/>; a close is passed on.</summary>
    private static async Task ForwardAsync(WebSocket input, WebSocket output, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var result = await input.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await output.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                    return;
                }

                await output.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}
