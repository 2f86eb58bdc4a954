using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Api;
using Berth.Server.Migration;

namespace Berth.Daemon.Exec;

/// <summary>
/// Connects to the migration websockets of a peer's operation, as LXD does in pull mode (target to source) and push
/// mode (source to target): <c>wss://</c> to <c>&lt;operation&gt;/websocket?secret=</c>, presenting this server's
/// certificate, accepting only the peer certificate the client passed along.
/// </summary>
/// <param name="handlers">An HTTPS handler that presents our certificate and pins the given peer fingerprint.</param>
internal sealed class MigrationDialer(Func<string?, HttpMessageHandler> handlers)
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Both channels. A failure to connect reads "Unable to connect to", which the LXD client takes as a connection
    /// error and tries the peer's next address.
    /// </summary>
    public async Task<MigrationConnection> ConnectAsync(string operation, string certificatePem, IReadOnlyDictionary<string, string>? secrets, CancellationToken cancellationToken)
    {
        if (!operation.StartsWith("https://", StringComparison.Ordinal) || !Uri.TryCreate(operation, UriKind.Absolute, out var operationUri))
        {
            throw new ApiException(400, $"The migration operation \"{operation}\" is not an https URL");
        }

        if (secrets is null || !secrets.TryGetValue("control", out var controlSecret) || !secrets.TryGetValue("fs", out var fsSecret))
        {
            throw new ApiException(400, "The migration needs the secrets of its control and fs websockets");
        }

        var invoker = new HttpMessageInvoker(handlers(certificatePem.Length > 0 ? Fingerprint(certificatePem) : null), disposeHandler: true);
        var connection = new MigrationConnection(invoker);
        try
        {
            connection.Control = new MigrationSocket(await DialAsync(operationUri, controlSecret, invoker, cancellationToken).ConfigureAwait(false));
            connection.Fs = new MigrationSocket(await DialAsync(operationUri, fsSecret, invoker, cancellationToken).ConfigureAwait(false));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<WebSocket> DialAsync(Uri operation, string secret, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(operation) { Scheme = "wss", Path = operation.AbsolutePath.TrimEnd('/') + "/websocket", Query = "secret=" + Uri.EscapeDataString(secret) }.Uri;
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version11;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new InvalidOperationException($"Unable to connect to: {operation.Authority} ({e.InnerException?.Message ?? e.Message})", e);
        }
    }

    /// <summary>LXD's fingerprint of a PEM certificate: hex SHA-256 of the DER.</summary>
    private static string Fingerprint(string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        }
        catch (CryptographicException)
        {
            throw new ApiException(400, "Invalid certificate");
        }
    }
}

/// <summary>The two dialled channels and the HTTPS handler they came through.</summary>
internal sealed class MigrationConnection(HttpMessageInvoker invoker) : IAsyncDisposable
{
    public MigrationSocket Control { get; set; } = null!;

    public MigrationSocket Fs { get; set; } = null!;

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in new[] { Control, Fs })
        {
            if (socket is not null)
            {
                await socket.CloseAsync().ConfigureAwait(false);
                socket.WebSocket.Dispose();
                socket.Dispose();
            }
        }

        invoker.Dispose();
    }
}
