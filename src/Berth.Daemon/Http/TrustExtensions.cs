using System.Net.Sockets;
using Berth.Api;
using Microsoft.AspNetCore.Connections.Features;

namespace Berth.Daemon.Http;

/// <summary>
/// Who may do what: callers on the unix socket are trusted (its mode and group are the access control, as in LXD).
/// </summary>
internal static class TrustExtensions
{
    public static bool IsTrusted(this HttpContext context) =>
        context.Features.Get<IConnectionSocketFeature>()?.Socket.AddressFamily == AddressFamily.Unix;

    public static void RequireTrusted(this HttpContext context)
    {
        if (!context.IsTrusted())
        {
            throw new ApiException(403, "not authorized");
        }
    }
}
