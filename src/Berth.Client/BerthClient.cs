using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Api;
using Berth.Client.Transport;
using Berth.Api.Json;

namespace Berth.Client;

/// <summary>
/// A client for LXD's REST API /1.0, as spoken by berthd (and LXD itself). Errors come back as
/// <see cref="ApiException"/> with the server's status and message.
/// </summary>
public sealed partial class BerthClient : IDisposable
{
    private readonly HttpClient _http;

    private BerthClient(HttpClient http, Uri baseAddress)
    {
        _http = http;
        BaseAddress = baseAddress;
    }

    /// <summary>For tests: requests go to <paramref name="handler"/> as if to <c>http://unix.socket</c>.</summary>
    internal BerthClient(HttpMessageHandler handler)
        : this(new HttpClient(handler) { BaseAddress = new Uri("http://unix.socket") }, new Uri("http://unix.socket"))
    {
    }

    public Uri BaseAddress { get; }

    /// <summary>The unix socket this client talks to, when it was made by <see cref="ConnectUnix"/>.</summary>
    public string? SocketPath { get; private init; }

    /// <summary>The handler behind this client: websockets (events, exec) reuse it.</summary>
    public HttpMessageInvoker Invoker => _http;

    /// <summary>Receives one line per request and response (the CLI's <c>--debug</c>).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>The project requests are made in; null means the server's default.</summary>
    public string? Project { get; set; }

    /// <summary>
    /// The local socket, found as LXD's clients do: <c>LXD_SOCKET</c>, else <c>$BERTH_DIR/unix.socket</c>,
    /// else <c>$LXD_DIR/unix.socket</c>, else <c>/var/lib/berth/unix.socket</c>.
    /// </summary>
    public static string DefaultSocketPath() => DefaultSocketPath(Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="DefaultSocketPath()"/>, reading the environment through <paramref name="getEnvironment"/>.</summary>
    public static string DefaultSocketPath(Func<string, string?> getEnvironment)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        var socket = getEnvironment("LXD_SOCKET");
        if (!string.IsNullOrEmpty(socket))
        {
            return socket;
        }

        var dir = getEnvironment("BERTH_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            dir = getEnvironment("LXD_DIR");
        }

        return Path.Combine(string.IsNullOrEmpty(dir) ? "/var/lib/berth" : dir, "unix.socket");
    }

    /// <summary>Connects over the unix socket at <paramref name="socketPath"/> (a plain HTTP/1.1 handler: see <see cref="UnixSocketHandler"/>).</summary>
    public static BerthClient ConnectUnix(string socketPath, TimeSpan? timeout = null)
    {
        var handler = new UnixSocketHandler(socketPath);
        var baseAddress = new Uri("http://unix.socket");
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Berth/" + typeof(BerthClient).Assembly.GetName().Version?.ToString(3));
        return new BerthClient(http, baseAddress) { SocketPath = socketPath };
    }

    /// <summary>
    /// Sends one request and returns the envelope and ETag. Non-envelope bodies (raw files) are not handled here.
    /// Throws <see cref="ApiException"/> for error envelopes.
    /// </summary>
    public async Task<(ResponseRaw Response, string? ETag)> RawAsync(
        HttpMethod method,
        string path,
        HttpContent? content = null,
        string? ifMatch = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, WithProject(path)) { Content = content };
        if (!string.IsNullOrEmpty(ifMatch))
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue(Quote(ifMatch)));
        }

        Log?.Invoke($"Sending request: method={method} url={request.RequestUri} etag={ifMatch}");
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        Log?.Invoke($"Got response: status={(int)response.StatusCode} body={System.Text.Encoding.UTF8.GetString(bytes)}");
        ResponseRaw? envelope = null;
        try
        {
            envelope = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, ApiJsonContext.Wire.ResponseRaw);
        }
        catch (JsonException)
        {
        }

        if (envelope is null || string.IsNullOrEmpty(envelope.Type))
        {
            throw new ApiException((int)response.StatusCode, response.IsSuccessStatusCode
                ? "Invalid response from server"
                : $"{(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (envelope.Type == ResponseType.Error)
        {
            throw new ApiException(envelope.ErrorCode != 0 ? envelope.ErrorCode : (int)response.StatusCode, envelope.Error);
        }

        var etag = response.Headers.ETag?.Tag.Trim('"');
        return (envelope, etag);
    }

    /// <summary>Sends JSON and returns the envelope.</summary>
    public Task<(ResponseRaw Response, string? ETag)> SendJsonAsync<T>(
        HttpMethod method, string path, T body, JsonTypeInfo<T> type, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return RawAsync(method, path, content, ifMatch, cancellationToken);
    }

    /// <summary>GET that decodes the metadata as <typeparamref name="T"/>.</summary>
    public async Task<(T Value, string? ETag)> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken = default)
    {
        var (response, etag) = await RawAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        return (response.Metadata.Deserialize(type)!, etag);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Escapes one path segment (a name) for a URL.</summary>
    public static string Escape(string segment) => Uri.EscapeDataString(segment);

    /// <summary>The unescaped last segment of a URL path: <c>/1.0/profiles/a%20b</c> gives <c>a b</c>.</summary>
    public static string LastPathSegment(string url)
    {
        var path = url.Split('?', 2)[0].TrimEnd('/');
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is BerthConnectionException connection)
        {
            throw new BerthConnectionException(connection.SocketPath, connection.InnerException ?? e);
        }
    }

    private string WithProject(string path)
    {
        if (string.IsNullOrEmpty(Project) || Project == "default" || path.Contains("project=", StringComparison.Ordinal))
        {
            return path;
        }

        return path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "project=" + WebUtility.UrlEncode(Project);
    }

    private static string Quote(string etag) => etag.StartsWith('"') ? etag : "\"" + etag + "\"";
}
