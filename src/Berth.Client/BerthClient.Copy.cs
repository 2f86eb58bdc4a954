using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>
    /// A local copy (<c>source.type=copy</c>) of <paramref name="source"/> (<c>c1</c> or <c>c1/snap0</c>), waiting
    /// for the operation. The server adds the source's config, devices and profiles the request leaves out.
    /// </summary>
    public async Task CopyInstanceAsync(string source, InstancesPost request, bool instanceOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Source = new InstanceSource { Type = "copy", SourceName = source, InstanceOnly = instanceOnly };
        await CreateInstanceAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task RenameInstanceAsync(string name, string newName, CancellationToken cancellationToken = default)
    {
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(name)}", new InstancePost { Name = newName }, ApiJsonContext.Wire.InstancePost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves a stopped instance's volume and snapshots to another pool (LXD's <c>instance_pool_move</c>).</summary>
    public async Task MoveInstanceToPoolAsync(string name, string pool, CancellationToken cancellationToken = default)
    {
        var request = new InstancePost { Name = name, Migration = true, Pool = pool };
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(name)}", request, ApiJsonContext.Wire.InstancePost, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /1.0/images</c> from an instance or snapshot (<c>c1/snap0</c>); returns the new fingerprint.</summary>
    public async Task<string> PublishInstanceAsync(string source, ImagesPost request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Source = new ImagesPostSource { Type = source.Contains('/', StringComparison.Ordinal) ? "snapshot" : "instance", Name = source };
        var (response, _) = await SendJsonAsync(HttpMethod.Post, "/1.0/images", request, ApiJsonContext.Wire.ImagesPost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = await WaitOperationAsync(response, cancellationToken).ConfigureAwait(false);
        return operation.Metadata is { } metadata && metadata.TryGetValue("fingerprint", out var fp) && fp.GetString() is { } fingerprint
            ? fingerprint
            : throw new ApiException(500, "The server did not report the image fingerprint");
    }
}
