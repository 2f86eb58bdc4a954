using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Http;

/// <summary>
/// Some LXD clients (pylxd's websocket library) send <c>Host: /path/to/unix.socket:None</c> on the unix socket;
/// LXD accepts it, Kestrel rejects it with 400 before any middleware runs. This connection filter replaces an
/// invalid Host value with <c>localhost</c> in the first request's header block only; bodies pass untouched.
/// </summary>
internal static class HostHeaderRepair
{
    private const int MaxHeaderBytes = 64 * 1024;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var original = connection.Transport;
        var pipe = new Pipe();
        connection.Transport = new DuplexPipe(pipe.Reader, original.Output);
        var pump = PumpAsync(original.Input, pipe.Writer, connection.ConnectionClosed);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await original.Input.CompleteAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
            }
        }
    };

    /// <summary>Rewrites the Host line of a header block if Kestrel would reject it.</summary>
    internal static byte[] Repair(ReadOnlySpan<byte> header)
    {
        var text = Encoding.Latin1.GetString(header);
        var lines = text.Split("\r\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && lines[i][..colon].Trim().Equals("host", StringComparison.OrdinalIgnoreCase) && !IsValidHost(lines[i][(colon + 1)..].Trim()))
            {
                lines[i] = "Host: localhost";
            }
        }

        return Encoding.Latin1.GetBytes(string.Join("\r\n", lines));
    }

    internal static bool IsValidHost(string host)
    {
        if (host.Length == 0)
        {
            return true;
        }

        var portAt = host.StartsWith('[') ? host.IndexOf("]:", StringComparison.Ordinal) + 1 : host.LastIndexOf(':');
        var name = portAt > 0 ? host[..portAt] : host;
        var port = portAt > 0 ? host[(portAt + 1)..] : "";
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '%' or '[' or ']' or ':' or '~')
            && port.All(char.IsAsciiDigit);
    }

    private static async Task PumpAsync(PipeReader input, PipeWriter output, CancellationToken cancellationToken)
    {
        var headerDone = false;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!headerDone)
                {
                    if (FindHeader(buffer) is { } header)
                    {
                        await output.WriteAsync(Repair(header.Header.ToArray()), cancellationToken).ConfigureAwait(false);
                        await output.WriteAsync(HeaderEnd, cancellationToken).ConfigureAwait(false);
                        headerDone = true;
                        buffer = buffer.Slice(header.Remainder);
                    }
                    else if (buffer.Length < MaxHeaderBytes && !result.IsCompleted)
                    {
                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                    else
                    {
                        headerDone = true; // not HTTP as we know it: let Kestrel judge it unchanged
                    }
                }

                foreach (var segment in buffer)
                {
                    await output.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                }

                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static (ReadOnlySequence<byte> Header, SequencePosition Remainder)? FindHeader(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> header, HeaderEnd, advancePastDelimiter: true) ? (header, reader.Position) : null;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
