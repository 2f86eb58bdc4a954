using System.Net;
using System.Text;

namespace Berth.Client.Tests;

/// <summary>Answers requests from a table of canned responses and records what was sent.</summary>
internal sealed class FakeHandler : HttpMessageHandler
{
    private readonly Dictionary<string, (HttpStatusCode Status, string Body, string? ETag)> _responses = new(StringComparer.Ordinal);

    public List<(HttpMethod Method, string PathAndQuery, string? Body, string? IfMatch)> Requests { get; } = [];

    public FakeHandler On(string method, string pathAndQuery, string body, HttpStatusCode status = HttpStatusCode.OK, string? etag = null)
    {
        _responses[method + " " + pathAndQuery] = (status, body, etag);
        return this;
    }

    public static string Sync(string metadata) =>
        $$"""{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"","metadata":{{metadata}}}""";

    public static string Error(int code, string message) =>
        $$"""{"type":"error","status":"","status_code":0,"operation":"","error_code":{{code}},"error":"{{message}}","metadata":null}""";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        Requests.Add((request.Method, pathAndQuery, body, request.Headers.IfMatch.FirstOrDefault()?.Tag));
        if (!_responses.TryGetValue(request.Method.Method + " " + pathAndQuery, out var canned))
        {
            canned = (HttpStatusCode.NotFound, Error(404, "not found"), null);
        }

        var response = new HttpResponseMessage(canned.Status) { Content = new StringContent(canned.Body, Encoding.UTF8, "application/json") };
        if (canned.ETag is not null)
        {
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"" + canned.ETag + "\"");
        }

        return response;
    }
}
