using Berth.Api;

namespace Berth.Daemon.Http;

/// <summary>Who may do what, from the <see cref="RequestIdentity"/> of the request.</summary>
internal static class TrustExtensions
{
    public static RequestIdentity Identity(this HttpContext context) =>
        context.Features.Get<RequestIdentity>() ?? new RequestIdentity { Protocol = "tls" };

    public static bool IsTrusted(this HttpContext context) => context.Identity().Trusted;

    public static void RequireTrusted(this HttpContext context)
    {
        if (!context.IsTrusted())
        {
            throw new ApiException(403, "not authorized");
        }
    }

    /// <summary>
    /// Untrusted callers reach only routes marked <see cref="ApiRoute.Untrusted"/> (whose handlers decide per method);
    /// everything else is 403 in LXD's envelope before any handler runs.
    /// </summary>
    public static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.IsTrusted() && context.GetEndpoint()?.Metadata.GetMetadata<ApiRoute>() is not { Untrusted: true })
        {
            await ApiResults.ErrorAsync(context, 403, "not authorized").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
