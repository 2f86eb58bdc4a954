using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Native;
using Berth.Server.Operations;
using Microsoft.Win32.SafeHandles;

namespace Berth.Daemon.Exec;

/// <summary>
/// One <c>exec</c>: waits for the client's websockets, runs the command in the container through berth-fork with
/// pipes (three streams) or a pty from the container's own devpts (interactive), relays data and control messages,
/// and reports the exit code as the operation's <c>return</c>.
/// </summary>
internal sealed class ExecSession(string lxcPath, string name, InstanceExecPost request, IReadOnlyDictionary<string, string> environment, WebsocketSlots? slots)
{
    /// <summary>
    /// Where a detached exec with <c>record-output</c> writes its stdout and stderr (the instance's log dir, as
    /// LXD 5.0's <c>exec_&lt;operation&gt;.stdout|stderr</c>), and the log URLs reported as <c>metadata.output</c>.
    /// </summary>
    public sealed record OutputRecording(string StdoutPath, string StderrPath, string StdoutUrl, string StderrUrl);

    public OutputRecording? Recording { get; init; }

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(IOperationContext operation)
    {
        try
        {
            var code = slots is null ? await RunDetachedAsync(operation).ConfigureAwait(false)
                : request.Interactive ? await RunInteractiveAsync(slots, operation.CancellationToken).ConfigureAwait(false)
                : await RunPipesAsync(slots, operation.CancellationToken).ConfigureAwait(false);
            operation.SetMetadata("return", JsonSerializer.SerializeToElement(code, ApiJsonContext.Wire.Int32));
        }
        finally
        {
            slots?.Done.TrySetResult();
        }
    }

    private ExecOptions Options() => new()
    {
        Command = request.Command,
        Environment = environment,
        Cwd = request.Cwd.Length > 0 ? request.Cwd : null,
        Uid = (int)request.User,
        Gid = (int)request.Group,
    };

    private async Task<int> RunDetachedAsync(IOperationContext operation)
    {
        if (Recording is not { } recording)
        {
            using var exec = BerthFork.Exec(lxcPath, name, Options(), null, null, null);
            return (await exec.WaitForExitAsync(operation.CancellationToken).ConfigureAwait(false)).Code;
        }

        int code;
        using (var stdout = File.Open(recording.StdoutPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        using (var stderr = File.Open(recording.StderrPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        using (var exec = BerthFork.Exec(lxcPath, name, Options(), null, stdout.SafeFileHandle, stderr.SafeFileHandle))
        {
            code = (await exec.WaitForExitAsync(operation.CancellationToken).ConfigureAwait(false)).Code;
        }

        operation.SetMetadata("output", JsonSerializer.SerializeToElement(
            new Dictionary<string, string>(StringComparer.Ordinal) { ["1"] = recording.StdoutUrl, ["2"] = recording.StderrUrl },
            ApiJsonContext.Wire.DictionaryStringString));
        return code;
    }

    private async Task<int> RunPipesAsync(WebsocketSlots sockets, CancellationToken cancellationToken)
    {
        await sockets.WaitAllAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var stdinSocket = await sockets.SocketAsync("0").ConfigureAwait(false);
        var stdoutSocket = await sockets.SocketAsync("1").ConfigureAwait(false);
        var stderrSocket = await sockets.SocketAsync("2").ConfigureAwait(false);
        var control = sockets.SocketAsync("control");

        var (inRead, inWrite) = Pipe.Create();
        var (outRead, outWrite) = Pipe.Create();
        var (errRead, errWrite) = Pipe.Create();
        ForkExec exec;
        using (inRead)
        using (outWrite)
        using (errWrite)
        {
            exec = BerthFork.Exec(lxcPath, name, Options(), inRead, outWrite, errWrite);
        }

        using (exec)
        {
            using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var stdin = WebsocketStreams.ReceiveToAsync(stdinSocket, new FdStream(inWrite, canRead: false), relay.Token);
            var stdout = WebsocketStreams.SendFromAsync(new FdStream(outRead, canWrite: false), stdoutSocket, cancellationToken);
            var stderr = WebsocketStreams.SendFromAsync(new FdStream(errRead, canWrite: false), stderrSocket, cancellationToken);
            var controlling = ControlAsync(control, exec, null, relay.Token);
            var exit = await exec.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            await relay.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(stdin, controlling).ConfigureAwait(false);
            foreach (var socket in new[] { stdinSocket, stdoutSocket, stderrSocket }.Concat(control.IsCompletedSuccessfully ? [control.Result] : []))
            {
                await WebsocketStreams.CloseAsync(socket).ConfigureAwait(false);
            }

            return exit.Code;
        }
    }

    private async Task<int> RunInteractiveAsync(WebsocketSlots sockets, CancellationToken cancellationToken)
    {
        await sockets.WaitAllAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
        var data = await sockets.SocketAsync("0").ConfigureAwait(false);
        var control = sockets.SocketAsync("control");

        using var devpts = new LxcContainerControl(lxcPath, name).OpenDevpts();
        using var pty = ContainerPty.Open(devpts);
        if (request.Width > 0 && request.Height > 0)
        {
            pty.SetWindowSize(request.Width, request.Height);
        }

        using var exec = BerthFork.Exec(lxcPath, name, Options(), pty.Slave, pty.Slave, pty.Slave);
        pty.CloseSlave();
        using var relay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var master = pty.OpenMasterStream();
        var input = WebsocketStreams.ReceiveToAsync(data, new NonClosingStream(master), relay.Token);
        var output = WebsocketStreams.SendFromAsync(master, data, cancellationToken);
        var controlling = ControlAsync(control, exec, pty.Master, relay.Token);
        var exit = await exec.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await output.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        // One socket carries both directions here: cancelling its pending receive aborts the connection, and
        // Kestrel then drops output it has not written to the wire yet (seen: 1 run in 10 lost a short command's
        // output). So close our side first and let the client's own close end the receive.
        await WebsocketStreams.CloseAsync(data).ConfigureAwait(false);
        try
        {
            await input.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await relay.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(input, controlling).ConfigureAwait(false);
        await master.DisposeAsync().ConfigureAwait(false);
        if (control.IsCompletedSuccessfully)
        {
            await WebsocketStreams.CloseAsync(control.Result).ConfigureAwait(false);
        }

        return exit.Code;
    }

    /// <summary>window-resize and signal messages, until the client closes control or the command ends.</summary>
    private static async Task ControlAsync(Task<WebSocket> connecting, ForkExec exec, SafeFileHandle? master, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var control = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
            while (control.State == WebSocketState.Open)
            {
                var result = await control.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.Count == 0)
                {
                    continue;
                }

                InstanceExecControl? message;
                try
                {
                    message = JsonSerializer.Deserialize(buffer.AsSpan(0, result.Count), ApiJsonContext.Wire.InstanceExecControl);
                }
                catch (JsonException)
                {
                    continue;
                }

                if (message?.Command == "window-resize" && master is not null && message.Args is { } args
                    && int.TryParse(args.GetValueOrDefault("width"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var width)
                    && int.TryParse(args.GetValueOrDefault("height"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var height))
                {
                    ContainerPty.SetWindowSize(master, width, height);
                }
                else if (message?.Command == "signal" && message.Signal > 0)
                {
                    exec.Signal(message.Signal);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    /// <summary>Lets the input relay end without closing the pty master that the output relay still reads.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    }
}
