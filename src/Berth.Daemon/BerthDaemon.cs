using System.Net.Sockets;
using Berth.Daemon.Endpoints;
using Berth.Daemon.Http;
using Berth.Daemon.Logging;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Host;
using Berth.Server.Images;
using Berth.Server.Instances;
using Berth.Server.Images.SimpleStreams;
using Berth.Server.Operations;
using Berth.Server.Profiles;
using Berth.Server.Security;
using Berth.Server.Storage;

namespace Berth.Daemon;

/// <summary>
/// A running berthd: the state store, the services over it, and Kestrel on the unix socket. Tests start it
/// in-process on a temporary dir; <c>Program</c> runs it until shutdown.
/// </summary>
internal sealed class BerthDaemon : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IStateStore _store;
    private readonly ILogger _logger;

    /// <summary>When this daemon's socket file was made: the one at the path at exit may be a newer daemon's.</summary>
    private readonly DateTime _socketBound;
    private bool _disposed;

    private BerthDaemon(WebApplication app, IStateStore store, DaemonContext context, ILogger logger)
    {
        _app = app;
        _store = store;
        Context = context;
        _logger = logger;
        _socketBound = File.GetLastWriteTimeUtc(context.Options.SocketPath);
    }

    public DaemonContext Context { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<BerthDaemon> StartAsync(DaemonOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Dir);
        File.SetUnixFileMode(options.Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var staleSocket = await ClaimSocketAsync(options.SocketPath, cancellationToken).ConfigureAwait(false);

        var store = SqliteStateStore.Open(options.DatabasePath);
        try
        {
            var host = HostInfo.Read();
            var context = new DaemonContext
            {
                Options = options,
                Host = host,
                Certificate = ServerCertificate.LoadOrCreate(options.Dir, host.Hostname),
            };

            EventHub? hub = null;
            var https = new HttpsListener(context.Certificate);
            // No reload of appsettings on change: that puts a recursive inotify watcher on the content root, the data
            // dir, with every container's rootfs below it (1,217 watches with 50 busybox containers; its thread took
            // 13 % of berthd's CPU in a launch loop, reading the events of each rootfs copy and of the containers' writes).
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.Dir, Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            builder.Logging.ClearProviders();
            var minimum = options.Debug ? LogLevel.Debug : options.Verbose ? LogLevel.Information : LogLevel.Warning;
            builder.Logging.SetMinimumLevel(minimum);
            builder.Logging.AddProvider(new BerthLoggerProvider(options.LogFile, minimum, () => hub));
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = null; // image and backup uploads are streamed
                kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Use(HostHeaderRepair.Middleware));
                https.ConfigureKestrel(kestrel);
            });
            builder.WebHost.UseKestrelHttpsConfiguration();

            var services = builder.Services;
            services.AddSingleton(context);
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton<IStateStore>(store);
            services.AddSingleton<EventHub>();
            services.AddSingleton<OperationManager>();
            services.AddSingleton<ServerConfigService>();
            services.AddSingleton(https);
            services.AddSingleton<TrustStore>();
            services.AddSingleton<CertificateTokens>();
            services.AddSingleton(new InstancePaths(options.Dir));
            services.AddSingleton<IInstanceRuntime, LxcRuntime>();
            services.AddSingleton<ImageUnpacker>();
            services.AddStorage();
            services.AddSingleton<Berth.Server.Networks.NetworkService>();
            services.AddSingleton<InstanceService>();
            services.AddSingleton<InstancePublisher>();
            services.AddHostedService<SnapshotScheduler>();
            services.AddSingleton<InstanceFiles>();
            services.AddSingleton<InstanceMetadataFiles>();
            services.AddSingleton<Exec.WebsocketOperations>();
            services.AddSingleton<Exec.MigrationOperations>();
            services.AddSingleton(new Exec.MigrationDialer(peer => RemoteHttpClient.CreateHandler(context.Certificate, peer)));
            services.AddSingleton<IProfileUsers>(sp => sp.GetRequiredService<InstanceService>());
            services.AddSingleton<ProfileService>();
            services.AddSingleton(new ImageStoreOptions { Dir = Path.Combine(options.Dir, "images") });
            services.AddSingleton<ImageService>();
            services.AddSingleton<ImageAliasService>();
            services.AddSingleton<SimpleStreamsPublisher>();
            services.AddSingleton(new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromHours(1) });
            services.AddSingleton<SimpleStreamsClient>();
            services.AddSingleton<ImageDownloader>();
            services.AddSingleton<ImagePuller>();
            services.AddSingleton<Berth.Server.Images.Lxd.LxdImageClient>();
            services.AddSingleton(new Berth.Server.Images.Lxd.LxdImagePusher(peer => RemoteHttpClient.CreateHandler(context.Certificate, peer)));
            services.AddSingleton<ImageSecrets>();
            services.AddSingleton<ImageTasks>();
            services.AddHostedService(sp => sp.GetRequiredService<ImageTasks>());

            var app = builder.Build();
            hub = app.Services.GetRequiredService<EventHub>();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("berthd");
            DaemonLog.Starting(logger, context.Version, options.SocketPath);
            if (staleSocket)
            {
                DaemonLog.StaleSocket(logger, options.SocketPath);
            }

            app.Use(RequestIdentityMiddleware.InvokeAsync);
            app.Use((ctx, next) => https.IsMetricsOnly(ctx) ? ApiResults.ErrorAsync(ctx, 404, "not found") : next(ctx));
            app.Use(TrustExtensions.GuardAsync);
            app.UseWebSockets();
            MapEndpoints(app);
            https.Start(app.Services.GetRequiredService<ServerConfigService>(), logger);
            await app.Services.GetRequiredService<ProfileService>().EnsureDefaultAsync(cancellationToken).ConfigureAwait(false);
            await app.Services.GetRequiredService<Berth.Server.Storage.StoragePoolService>().StartAsync((pool, e) => StorageLog.MountFailed(logger, pool, e.Message), cancellationToken).ConfigureAwait(false);
            await app.Services.GetRequiredService<Berth.Server.Networks.NetworkService>().StartAsync((network, e) => NetworkLog.StartFailed(logger, network, e.Message), cancellationToken).ConfigureAwait(false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            SecureSocket(options);

            // Before ready: a running container's intercepted syscalls are answered again by the time clients see us.
            var instances = app.Services.GetRequiredService<InstanceService>();
            try
            {
                instances.ResumeSyscallInterception();
            }
            catch (Berth.Api.ApiException e)
            {
                DaemonLog.SeccompProxyFailed(logger, e.Message);
            }

            var daemon = new BerthDaemon(app, store, context, logger);
            context.Ready.TrySetResult();

            // After ready, as LXD: clients can talk to berthd while instances come back.
            var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => instances.AutostartAsync((name, e) => DaemonLog.AutostartFailed(logger, name, e.Message), stopping), stopping);
            DaemonLog.Started(logger);
            return daemon;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs until shutdown is requested (PUT /internal/shutdown or the token).</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Context.Shutdown.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (Context.StopInstancesOnShutdown)
        {
            await _app.Services.GetRequiredService<InstanceService>()
                .StopAllForHostShutdownAsync((name, e) => DaemonLog.HostShutdownStopFailed(_logger, name, e), CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        DaemonLog.Stopping(_logger);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _store.DisposeAsync().ConfigureAwait(false);
            // `berthd shutdown` returns once this daemon stops listening, before it gets here: a berthd started
            // right after has made its own socket file by now, which must stay.
            if (File.GetLastWriteTimeUtc(Context.Options.SocketPath) == _socketBound)
            {
                File.Delete(Context.Options.SocketPath);
            }
        }
    }

    private static void MapEndpoints(WebApplication app)
    {
        var services = app.Services;
        new ServerEndpoints(services.GetRequiredService<DaemonContext>(), services.GetRequiredService<ServerConfigService>(), services.GetRequiredService<HttpsListener>()).Map(app);
        new ProfilesEndpoints(services.GetRequiredService<ProfileService>()).Map(app);
        new OperationsEndpoints(services.GetRequiredService<OperationManager>(), services.GetRequiredService<EventHub>()).Map(app);
        new EventsEndpoints(services.GetRequiredService<EventHub>()).Map(app);
        new ProjectsEndpoints(services.GetRequiredService<ProfileService>()).Map(app);
        new InternalEndpoints(services.GetRequiredService<DaemonContext>(), services.GetRequiredService<InstanceService>()).Map(app);
        new ImagesEndpoints(services.GetRequiredService<ImageService>(), services.GetRequiredService<ImageAliasService>(), services.GetRequiredService<ImagePuller>(), services.GetRequiredService<ImageSecrets>(), services.GetRequiredService<Berth.Server.Images.Lxd.LxdImagePusher>(), services.GetRequiredService<InstancePublisher>(), services.GetRequiredService<OperationManager>()).Map(app);
        new ImageAliasesEndpoints(services.GetRequiredService<ImageAliasService>(), services.GetRequiredService<ImageService>()).Map(app);
        new SimpleStreamsEndpoints(services.GetRequiredService<SimpleStreamsPublisher>(), services.GetRequiredService<ImageService>()).Map(app);
        new InstancesEndpoints(services.GetRequiredService<InstanceService>(), services.GetRequiredService<ImageService>(), services.GetRequiredService<ImagePuller>(), services.GetRequiredService<OperationManager>(), services.GetRequiredService<Exec.MigrationOperations>()).Map(app);
        new ExecEndpoints(services.GetRequiredService<InstanceService>(), services.GetRequiredService<InstancePaths>(), services.GetRequiredService<OperationManager>(), services.GetRequiredService<Exec.WebsocketOperations>()).Map(app);
        new InstanceFilesEndpoints(services.GetRequiredService<InstanceFiles>()).Map(app);
        new InstanceMetadataEndpoints(services.GetRequiredService<InstanceMetadataFiles>()).Map(app);
        new InstanceLogsEndpoints(services.GetRequiredService<InstanceService>(), services.GetRequiredService<InstancePaths>()).Map(app);
        new InstanceConsoleEndpoints(services.GetRequiredService<InstanceService>(), services.GetRequiredService<InstancePaths>(), services.GetRequiredService<OperationManager>(), services.GetRequiredService<Exec.WebsocketOperations>()).Map(app);
        new InstanceSnapshotsEndpoints(services.GetRequiredService<InstanceService>(), services.GetRequiredService<OperationManager>(), services.GetRequiredService<Exec.MigrationOperations>()).Map(app);
        new StoragePoolsEndpoints(services.GetRequiredService<Berth.Server.Storage.StoragePoolService>()).Map(app);
        new InstanceBackupsEndpoints(services.GetRequiredService<Berth.Server.Instances.InstanceService>(), services.GetRequiredService<Berth.Server.Operations.OperationManager>()).Map(app);
        new StorageVolumesEndpoints(services.GetRequiredService<Berth.Server.Storage.StorageVolumeService>(), services.GetRequiredService<Berth.Server.Operations.OperationManager>()).Map(app);
        new NetworksEndpoints(services.GetRequiredService<Berth.Server.Networks.NetworkService>()).Map(app);
        new CertificatesEndpoints(services.GetRequiredService<TrustStore>(), services.GetRequiredService<CertificateTokens>(), services.GetRequiredService<ServerConfigService>(), services.GetRequiredService<HttpsListener>(), services.GetRequiredService<DaemonContext>()).Map(app);
        new ClusterEndpoints(services.GetRequiredService<Berth.Server.Storage.StoragePoolService>(), services.GetRequiredService<Berth.Server.Networks.NetworkService>()).Map(app);
        new MetricsEndpoints(services.GetRequiredService<InstanceService>(), services.GetRequiredService<ServerConfigService>()).Map(app);
        NotImplementedEndpoints.Map(app);
        WarningsEndpoints.Map(app);
        ResourcesEndpoints.Map(app);
        app.MapFallback("{**path}", ctx => ApiResults.ErrorAsync(ctx, 404, "not found"));
    }

    /// <summary>
    /// Takes the socket path: fails when another daemon answers on it, removes it when it is stale.
    /// Returns true when a stale socket was removed.
    /// </summary>
    private static async Task<bool> ClaimSocketAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            File.Delete(path);
            return true;
        }

        throw new InvalidOperationException($"berthd is already running on {path}");
    }

    private static void SecureSocket(DaemonOptions options)
    {
        File.SetUnixFileMode(options.SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        if (options.Group is not null)
        {
            var gid = GroupIds.Lookup(options.Group) ?? throw new InvalidOperationException($"Unknown group \"{options.Group}\"");
            Berth.Native.FileOwnership.Chown(options.SocketPath, -1, gid);
        }
    }
}
