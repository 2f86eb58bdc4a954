using System.Text.Json;
using Berth.Api;
using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Http;

/// <summary>
/// One API path with a handler per method, as LXD's command table: a method the path lacks answers
/// 501 "not implemented"; every exception becomes LXD's error envelope.
/// </summary>
internal sealed class ApiRoute
{
    public RequestDelegate? Get { get; init; }
    public RequestDelegate? Put { get; init; }
    public RequestDelegate? Patch { get; init; }
    public RequestDelegate? Post { get; init; }
    public RequestDelegate? Delete { get; init; }
    public RequestDelegate? Head { get; init; }

    /// <summary>A route whose every method gets <paramref name="handler"/> (an area that answers one error to all).</summary>
    public static ApiRoute Every(RequestDelegate handler) =>
        new() { Get = handler, Put = handler, Patch = handler, Post = handler, Delete = handler };

    /// <summary>Reachable by callers that are not trusted (GET / and GET /1.0 over HTTPS).</summary>
    public bool Untrusted { get; init; }

    public async Task DispatchAsync(HttpContext context)
    {
        var handler = context.Request.Method switch
        {
            "GET" => Get,
            "PUT" => Put,
            "PATCH" => Patch,
            "POST" => Post,
            "DELETE" => Delete,
            "HEAD" => Head ?? Get,
            _ => null,
        };
        var events = context.RequestServices.GetRequiredService<Berth.Server.Events.EventHub>();
        if (events.HasListeners(EventType.Logging))
        {
            var requestor = context.Requestor();
            events.PublishLogging("debug", "Handling API request", new Dictionary<string, string>
            {
                ["ip"] = requestor.Address,
                ["method"] = context.Request.Method,
                ["protocol"] = requestor.Protocol,
                ["url"] = context.Request.Path + context.Request.QueryString,
                ["username"] = requestor.Username,
            });
        }

        try
        {
            if (handler is null)
            {
                await ApiResults.ErrorAsync(context, 501, "not implemented").ConfigureAwait(false);
                return;
            }

            await handler(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not ConnectionAbortedException)
        {
            var (status, message) = Map(e);
            if (status >= 500)
            {
                context.RequestServices.GetRequiredService<ILogger<ApiRoute>>().LogError(e, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            }

            await ApiResults.ErrorAsync(context, status, message).ConfigureAwait(false);
        }
    }

    /// <summary>The one place that turns exceptions into status codes.</summary>
    public static (int Status, string Message) Map(Exception e) => e switch
    {
        ApiException api => (api.Status, api.Message),
        JsonException json => (400, "Invalid JSON: " + (json.InnerException?.Message ?? json.Message)),
        BadHttpRequestException bad => (bad.StatusCode, bad.Message),
        FileNotFoundException or DirectoryNotFoundException => (404, "not found"),
        OperationCanceledException => (503, "Request was cancelled"),
        _ => (500, e.Message),
    };
}

internal static class ApiRouteExtensions
{
    public static void MapApi(this IEndpointRouteBuilder endpoints, string pattern, ApiRoute route) =>
        endpoints.Map(pattern, route.DispatchAsync).WithMetadata(route);
}
