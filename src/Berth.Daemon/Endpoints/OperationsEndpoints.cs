using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Events;
using Berth.Server.Operations;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/1.0/operations</c>: list by status, get, cancel, wait.</summary>
internal sealed class OperationsEndpoints(OperationManager operations, EventHub events)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/1.0/operations", new ApiRoute { Get = ListAsync });
        routes.MapApi("/1.0/operations/{id}", new ApiRoute { Get = GetAsync, Delete = CancelAsync });
        // An untrusted client may wait on an operation whose metadata holds the secret it passes (LXD's way for a
        // server that pushed an image).
        routes.MapApi("/1.0/operations/{id}/wait", new ApiRoute { Get = WaitAsync, Untrusted = true });
    }

    public static string Url(string id) => "/1.0/operations/" + id;

    /// <summary>Grouped by lower-case status name, as LXD lists them.</summary>
    private Task ListAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var byStatus = operations.List()
            .Where(o => o.Project == project)
            .Select(o => o.Snapshot())
            .OrderBy(o => o.CreatedAt)
            .GroupBy(o => o.Status.ToLowerInvariant());
        if (context.Request.Recursion() == 0)
        {
            var urls = byStatus.ToDictionary(g => g.Key, g => g.Select(o => Url(o.Id)).ToList());
            return ApiResults.SyncAsync(context, urls, ApiJsonContext.Wire.DictionaryStringListString);
        }

        var full = byStatus.ToDictionary(g => g.Key, g => g.ToList());
        return ApiResults.SyncAsync(context, full, ApiJsonContext.Wire.DictionaryStringListOperation);
    }

    private Task GetAsync(HttpContext context) =>
        ApiResults.SyncAsync(context, Find(context).Snapshot(), ApiJsonContext.Wire.Operation);

    private Task CancelAsync(HttpContext context)
    {
        var operation = Find(context);
        if (!operation.Cancel())
        {
            throw new ApiException(400, "This operation can't be cancelled");
        }

        events.PublishLifecycle("operation-cancelled", Url(operation.Id), requestor: context.Requestor(), project: operation.Project);
        return ApiResults.EmptySyncAsync(context);
    }

    /// <summary><c>timeout</c> in seconds, -1 (default) waits for ever; on timeout the current state is returned.</summary>
    private async Task WaitAsync(HttpContext context)
    {
        var operation = context.IsTrusted() ? Find(context) : FindBySecret(context);
        var timeout = double.TryParse(context.Request.Query["timeout"], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : Timeout.InfiniteTimeSpan;
        try
        {
            await operation.Completion.WaitAsync(timeout, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await ApiResults.SyncAsync(context, operation.Snapshot(), ApiJsonContext.Wire.Operation).ConfigureAwait(false);
    }

    private OperationEntry FindBySecret(HttpContext context)
    {
        var secret = context.Request.Query["secret"].ToString();
        var operation = secret.Length == 0 ? null : operations.Get((string)context.Request.RouteValues["id"]!);
        if (operation?.Snapshot().Metadata?.GetValueOrDefault("secret") is not { ValueKind: System.Text.Json.JsonValueKind.String } stored
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(stored.GetString() ?? ""), System.Text.Encoding.UTF8.GetBytes(secret)))
        {
            throw new ApiException(403, "not authorized");
        }

        return operation;
    }

    private OperationEntry Find(HttpContext context) =>
        operations.Get((string)context.Request.RouteValues["id"]!) ?? throw new ApiException(404, "Operation not found");
}
