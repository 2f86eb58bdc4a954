using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>All operations of every status (<c>GET /1.0/operations?recursion=1</c>), flattened.</summary>
    public async Task<List<Operation>> GetOperationsAsync(CancellationToken cancellationToken = default)
    {
        var (byStatus, _) = await GetAsync("/1.0/operations?recursion=1", ApiJsonContext.Wire.DictionaryStringListOperation, cancellationToken)
            .ConfigureAwait(false);
        return byStatus is null ? [] : byStatus.Values.Where(list => list is not null).SelectMany(list => list).ToList();
    }

    /// <summary>All operations as the server sent them (status → list), for display without re-encoding.</summary>
    public async Task<JsonElement> GetOperationsRawAsync(bool allProjects = false, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(
            HttpMethod.Get, "/1.0/operations?recursion=1" + (allProjects ? "&all-projects=true" : ""), null, null, cancellationToken).ConfigureAwait(false);
        return response.Metadata;
    }

    public async Task<JsonElement> GetOperationRawAsync(string id, CancellationToken cancellationToken = default)
    {
        var (response, _) = await RawAsync(HttpMethod.Get, "/1.0/operations/" + Escape(id), null, null, cancellationToken).ConfigureAwait(false);
        return response.Metadata;
    }

    public async Task<Operation> GetOperationAsync(string id, CancellationToken cancellationToken = default)
    {
        var (operation, _) = await GetAsync("/1.0/operations/" + Escape(id), ApiJsonContext.Wire.Operation, cancellationToken).ConfigureAwait(false);
        return operation;
    }

    /// <summary>Cancels an operation (<c>DELETE /1.0/operations/{id}</c>).</summary>
    public Task DeleteOperationAsync(string id, CancellationToken cancellationToken = default) =>
        RawAsync(HttpMethod.Delete, "/1.0/operations/" + Escape(id), null, null, cancellationToken);

    /// <summary>
    /// Waits for an operation to finish (<c>GET /1.0/operations/{id}/wait?timeout=N</c>; -1 waits forever) and returns it.
    /// A failed operation is thrown as <see cref="ApiException"/> with the operation's error when
    /// <paramref name="throwOnFailure"/> is set.
    /// </summary>
    public async Task<Operation> WaitOperationAsync(string id, int timeoutSeconds = -1, bool throwOnFailure = true, CancellationToken cancellationToken = default)
    {
        var (operation, _) = await GetAsync(
            $"/1.0/operations/{Escape(OperationId(id))}/wait?timeout={timeoutSeconds}", ApiJsonContext.Wire.Operation, cancellationToken).ConfigureAwait(false);
        if (throwOnFailure && operation.StatusCode is Api.StatusCode.Failure or Api.StatusCode.Cancelled)
        {
            throw new ApiException(500, string.IsNullOrEmpty(operation.Err) ? operation.Status : operation.Err);
        }

        return operation;
    }

    /// <summary>Accepts an id or an operation URL (<c>/1.0/operations/{id}</c>) and returns the id.</summary>
    public static string OperationId(string idOrUrl)
    {
        var path = idOrUrl.Split('?', 2)[0].TrimEnd('/');
        return path.Contains('/', StringComparison.Ordinal) ? LastPathSegment(path) : path;
    }
}
