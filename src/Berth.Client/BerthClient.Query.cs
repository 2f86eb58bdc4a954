using System.Net.Http.Headers;
using System.Text;
using Berth.Api;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// A raw request (<c>berth query</c>): <paramref name="body"/> is sent as JSON when not empty. Returns the whole
    /// envelope; error envelopes throw <see cref="ApiException"/>.
    /// </summary>
    public Task<(ResponseRaw Response, string? ETag)> QueryAsync(
        string method, string path, string? body = null, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        HttpContent? content = null;
        if (!string.IsNullOrEmpty(body))
        {
            content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return RawAsync(new HttpMethod(method.ToUpperInvariant()), path, content, ifMatch, cancellationToken);
    }
}
