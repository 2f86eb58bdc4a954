using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Api;
using Berth.Native;
using Microsoft.AspNetCore.Connections.Features;

namespace Berth.Daemon.Http;

/// <summary>Query parameters and bodies every endpoint reads the same way.</summary>
internal static class RequestExtensions
{
    private const int MaxJsonBody = 32 * 1024 * 1024;

    /// <summary><c>recursion=0|1|2</c>; anything else is 0, as in LXD.</summary>
    public static int Recursion(this HttpRequest request) =>
        int.TryParse(request.Query["recursion"], out var value) && value is >= 0 and <= 2 ? value : 0;

    /// <summary>The project named by <c>project=</c>; only the default project exists.</summary>
    public static string Project(this HttpRequest request)
    {
        var project = request.Query["project"].ToString();
        if (project.Length == 0 || project == "default")
        {
            return "default";
        }

        throw new ApiException(404, "Project not found");
    }

    public static string? IfMatch(this HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        return value.Length == 0 ? null : value;
    }

    public static async Task<T> ReadJsonAsync<T>(this HttpRequest request, JsonTypeInfo<T> type)
    {
        var element = await request.ReadJsonElementAsync().ConfigureAwait(false);
        return element.Deserialize(type) ?? throw new ApiException(400, "Request body is null");
    }

    public static async Task<JsonElement> ReadJsonElementAsync(this HttpRequest request)
    {
        if (request.ContentLength > MaxJsonBody)
        {
            throw new ApiException(413, "Request body too large");
        }

        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiException(400, "Request body must be a JSON object");
            }

            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ApiException(400, e.Message);
        }
    }

    /// <summary>Who made the request, for lifecycle events: unix peer credentials, or the TLS client certificate's trust entry.</summary>
    public static EventLifecycleRequestor Requestor(this HttpContext context)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        var creds = socket is null ? null : PeerCredentials.Of(socket);
        return new EventLifecycleRequestor
        {
            Username = creds is { } c ? UserNames.Of(c.Uid) : context.Identity().Fingerprint ?? "",
            Protocol = creds is null ? "tls" : "unix",
            Address = creds is null ? context.Connection.RemoteIpAddress?.ToString() ?? "" : "@",
        };
    }
}
