using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Instances;
using Berth.Server.Migration;
using Berth.Server.Operations;

namespace Berth.Daemon.Exec;

/// <summary>
/// The operations of an instance migration between servers, as LXD 5.0 runs them: the source
/// (<c>POST /1.0/instances/&lt;name&gt;</c> with <c>migration</c>) and a push-mode target
/// (<c>source.type=migration</c>, <c>mode=push</c>) are websocket operations whose metadata are the secrets of
/// their <c>control</c> and <c>fs</c> sockets; the peer, or the client relaying, connects to both. In pull mode the
/// target, and in push mode the source, dials the other side's operation instead and runs a task operation.
/// </summary>
internal sealed class MigrationOperations(InstanceService instances, OperationManager operations, WebsocketOperations websockets, MigrationDialer dialer)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Channels = ["control", "fs"];

    public Task<OperationEntry> StartSourceAsync(string project, string name, InstancePost request, CancellationToken cancellationToken)
    {
        instances.ValidateMigrationSource(project, name, request.Live);
        var instanceOnly = request.InstanceOnly || request.ContainerOnly;
        return StartSourceAsync(project, name, request.Target, (control, fs, progress, token) =>
            instances.SendMigrationAsync(project, name, instanceOnly, control, fs, progress, token), cancellationToken);
    }

    /// <summary>A snapshot as the source (<c>POST /1.0/instances/&lt;name&gt;/snapshots/&lt;snap&gt;</c> with <c>migration</c>).</summary>
    public Task<OperationEntry> StartSnapshotSourceAsync(string project, string name, string snapshot, InstanceSnapshotPost request, CancellationToken cancellationToken)
    {
        instances.GetSnapshot(project, name, snapshot);
        return StartSourceAsync(project, name, request.Target, (control, fs, progress, token) =>
            instances.SendSnapshotMigrationAsync(project, name, snapshot, control, fs, progress, token), cancellationToken);
    }

    private async Task<OperationEntry> StartSourceAsync(string project, string name, InstancePostTarget? target, Func<MigrationSocket, MigrationSocket, Action<string>, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        if (target is not null)
        {
            // Push mode: connect to the target's operation before answering, as LXD does.
            MigrationConnection connection;
            try
            {
                connection = await dialer.ConnectAsync(target.Operation, target.Certificate, target.Websockets, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                throw new ApiException(500, e.Message);
            }

            return operations.Start("Migrating instance", InstanceService.Resources(name), async op =>
            {
                await using (connection.ConfigureAwait(false))
                {
                    await send(connection.Control, connection.Fs, Throttled(op), op.CancellationToken).ConfigureAwait(false);
                }
            }, project: project);
        }

        return StartWebsocketOperation("Migrating instance", name, project, send);
    }

    public OperationEntry StartTarget(string project, InstancesPost request, EventLifecycleRequestor? requestor)
    {
        instances.ValidateMigrationTarget(project, request);
        if (request.Source.Mode == "pull")
        {
            return operations.Start("Creating instance", InstanceService.Resources(request.Name), async op =>
            {
                var connection = await dialer.ConnectAsync(request.Source.Operation, request.Source.Certificate, request.Source.Websockets, op.CancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await instances.ReceiveMigrationAsync(project, request, connection.Control, connection.Fs, requestor, Throttled(op), op.CancellationToken).ConfigureAwait(false);
                }
            }, project: project);
        }

        if (request.Source.Mode != "push")
        {
            throw new ApiException(501, $"Mode \"{request.Source.Mode}\" not implemented");
        }

        return StartWebsocketOperation("Creating instance", request.Name, project, (control, fs, progress, cancellationToken) =>
            instances.ReceiveMigrationAsync(project, request, control, fs, requestor, progress, cancellationToken));
    }

    private OperationEntry StartWebsocketOperation(string description, string name, string project, Func<MigrationSocket, MigrationSocket, Action<string>, CancellationToken, Task> work)
    {
        var secrets = Channels.ToDictionary(c => c, _ => WebsocketOperations.NewSecret(), StringComparer.Ordinal);
        var metadata = secrets.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value, ApiJsonContext.Wire.String), StringComparer.Ordinal);
        WebsocketSlots? slots = null;
        return operations.Start(description, InstanceService.Resources(name), async op =>
        {
            MigrationSocket? control = null, fs = null;
            try
            {
                (control, fs) = await ConnectedAsync(slots!, op.CancellationToken).ConfigureAwait(false);
                await work(control, fs, Throttled(op), op.CancellationToken).ConfigureAwait(false);
            }
            finally
            {
                websockets.Unregister(op.Id);
                foreach (var socket in new[] { control, fs })
                {
                    if (socket is not null)
                    {
                        await socket.CloseAsync().ConfigureAwait(false);
                        socket.Dispose();
                    }
                }

                slots!.Done.TrySetResult();
            }
        }, OperationClass.Websocket, metadata: metadata, project: project, registerBeforeRun: op => slots = websockets.Register(op.Id, secrets));
    }

    /// <summary>Both sockets, or LXD's error after 10 s.</summary>
    private static async Task<(MigrationSocket Control, MigrationSocket Fs)> ConnectedAsync(WebsocketSlots slots, CancellationToken cancellationToken)
    {
        try
        {
            var control = await slots.SocketAsync("control").WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
            var fs = await slots.SocketAsync("fs").WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
            return (new MigrationSocket(control), new MigrationSocket(fs));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("Timed out waiting for migration connections");
        }
    }

    /// <summary>Progress into the operation's <c>fs_progress</c> metadata at most once a second.</summary>
    private static Action<string> Throttled(IOperationContext op)
    {
        var last = DateTime.MinValue;
        return text =>
        {
            var now = DateTime.UtcNow;
            if (now - last >= TimeSpan.FromSeconds(1))
            {
                last = now;
                op.SetMetadata("fs_progress", JsonSerializer.SerializeToElement(text, ApiJsonContext.Wire.String));
            }
        };
    }
}
