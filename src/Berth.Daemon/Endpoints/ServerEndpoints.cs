using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Config;
using Berth.Server.Security;

namespace Berth.Daemon.Endpoints;

/// <summary><c>/</c> and <c>/1.0</c>: the server's description and its config.</summary>
internal sealed class ServerEndpoints
{
    private static readonly byte[] RootEnvelope = ApiResults.SyncEnvelope("""["/1.0"]"""u8);
    private readonly DaemonContext _daemon;
    private readonly ServerConfigService _config;
    private readonly HttpsListener _https;
    private readonly byte[] _untrustedEnvelope;
    private volatile CachedServer? _cached;

    public ServerEndpoints(DaemonContext daemon, ServerConfigService config, HttpsListener https)
    {
        _https = https;
        _daemon = daemon;
        _config = config;
        _config.Changed += _ => _cached = null;
        _untrustedEnvelope = ApiResults.SyncEnvelope(JsonSerializer.SerializeToUtf8Bytes(
            new ServerUntrusted { ApiExtensions = [.. ApiExtensions.All] }, ApiJsonContext.Wire.ServerUntrusted));
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapApi("/", new ApiRoute { Get = ctx => ApiResults.SyncRawAsync(ctx, RootEnvelope), Untrusted = true });
        routes.MapApi("/1.0", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync, Untrusted = true });
    }

    /// <summary>Untrusted callers get the public subset; the answer is cached until the config changes.</summary>
    private Task GetAsync(HttpContext context)
    {
        if (!context.IsTrusted())
        {
            return ApiResults.SyncRawAsync(context, _untrustedEnvelope);
        }

        var cached = _cached ?? Build();
        return ApiResults.SyncRawAsync(context, cached.Envelope, cached.ETag);
    }

    private async Task PutAsync(HttpContext context)
    {
        context.RequireTrusted();
        var body = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ServerPut).ConfigureAwait(false);
        _https.CheckBindable(body.Config);
        await _config.ReplaceAsync(body.Config ?? [], context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context)
    {
        context.RequireTrusted();
        var body = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.ServerPut).ConfigureAwait(false);
        _https.CheckBindable(body.Config);
        await _config.PatchAsync(body.Config ?? [], context.Request.IfMatch(), context.Requestor(), context.RequestAborted).ConfigureAwait(false);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private CachedServer Build()
    {
        var config = _config.Visible();
        var host = _daemon.Host;
        var server = new Berth.Api.Server
        {
            Config = config,
            ApiExtensions = [.. ApiExtensions.All],
            Auth = "trusted",
            Environment = new ServerEnvironment
            {
                Addresses = ListenAddresses.Reachable(config.GetValueOrDefault("core.https_address")),
                Architectures = [.. host.Architectures],
                Certificate = _daemon.Certificate.Pem,
                CertificateFingerprint = _daemon.Certificate.Fingerprint,
                Driver = "lxc",
                DriverVersion = Berth.Native.LxcVersion.Value,
                Firewall = host.Firewall,
                Kernel = "Linux",
                KernelArchitecture = host.KernelArchitecture,
                KernelVersion = host.KernelVersion,
                OsName = host.OsName,
                OsVersion = host.OsVersion,
                Project = "default",
                Server = "lxd",
                ServerName = host.Hostname,
                ServerPid = Environment.ProcessId,
                ServerVersion = _daemon.Version,
            },
        };
        var cached = new CachedServer(
            ApiResults.SyncEnvelope(JsonSerializer.SerializeToUtf8Bytes(server, ApiJsonContext.Wire.Server)),
            ServerConfigService.ETagOf(config));
        _cached = cached;
        return cached;
    }

    private sealed record CachedServer(byte[] Envelope, string ETag);
}
