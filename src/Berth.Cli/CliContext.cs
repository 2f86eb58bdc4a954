using System.CommandLine;
using Berth.Cli.Config;
using System.Security.Cryptography.X509Certificates;
using Berth.Client;

namespace Berth.Cli;

/// <summary>One invocation: the parsed global flags, the client configuration, and the clients opened for it.</summary>
internal sealed class CliContext : IDisposable
{
    private readonly CliApp _app;
    private readonly Dictionary<string, BerthClient> _clients = new(StringComparer.Ordinal);
    private CliConfig? _config;

    public CliContext(CliApp app, ParseResult parseResult)
    {
        _app = app;
        ParseResult = parseResult;
        Project = parseResult.GetValue(app.ProjectOption);
        Debug = parseResult.GetValue(app.DebugOption);
        Quiet = parseResult.GetValue(app.QuietOption);
        ForceLocal = parseResult.GetValue(app.ForceLocalOption);
    }

    public ParseResult ParseResult { get; }

    public CliHost Host => _app.Host;

    public TextWriter Out => _app.Host.Out;

    public TextWriter Error => _app.Host.Error;

    public string? Project { get; }

    public bool Debug { get; }

    public bool Quiet { get; }

    public bool ForceLocal { get; }

    /// <summary>The exit code when the action returns normally.</summary>
    public int ExitCode { get; set; }

    /// <summary>A line for the user (a confirmation such as "Device d added to c"), unless <c>--quiet</c>.</summary>
    public void Print(string message)
    {
        if (!Quiet)
        {
            Out.WriteLine(message);
        }
    }

    public CliConfig Config => _config ??= _app.LoadedConfig ?? CliConfig.Load(CliConfig.DefaultDirectory(Host.GetEnvironment));

    public T GetValue<T>(Argument<T> argument) => ParseResult.GetValue(argument)!;

    public T GetValue<T>(Option<T> option) => ParseResult.GetValue(option)!;

    /// <summary>Splits <c>[remote:]name</c>; <c>--force-local</c> always picks <c>local</c>.</summary>
    public (string Remote, string Name) ParseRemote(string? raw)
    {
        var (remote, name) = Config.ParseRemote(raw ?? "");
        return (ForceLocal ? CliConfig.LocalRemote : remote, name);
    }

    /// <summary>Parses a remote-only argument (<c>[remote:]</c>): empty means the default remote.</summary>
    public string ParseRemoteOnly(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return ForceLocal ? CliConfig.LocalRemote : Config.DefaultRemote;
        }

        var (remote, name) = ParseRemote(raw.Contains(':', StringComparison.Ordinal) ? raw : raw + ":");
        if (name.Length > 0)
        {
            throw new CliException($"Unexpected name \"{name}\": expected a remote (\"{remote}:\")");
        }

        return remote;
    }

    /// <summary>A client for <paramref name="remote"/> (opened once per invocation).</summary>
    public BerthClient Client(string remote)
    {
        if (ForceLocal)
        {
            remote = CliConfig.LocalRemote;
        }

        if (_clients.TryGetValue(remote, out var client))
        {
            return client;
        }

        if (!Config.Remotes.TryGetValue(remote, out var entry))
        {
            throw new CliException($"The remote \"{remote}\" doesn't exist");
        }

        if (entry.Addr.StartsWith("https://", StringComparison.Ordinal))
        {
            client = ConnectHttps(remote, entry);
        }
        else
        {
            var socket = SocketPath(entry.Addr, Host.GetEnvironment)
                ?? throw new CliException($"The remote \"{remote}\" ({entry.Addr}) is not reachable: only unix:// and https:// remotes are supported");
            client = Host.ConnectUnix(socket);
        }

        client.Project = string.IsNullOrEmpty(Project) ? (entry.Project.Length > 0 ? entry.Project : null) : Project;
        if (Debug)
        {
            Error.WriteLine($"DEBUG: connecting to remote \"{remote}\" at {entry.Addr}");
            client.Log = message => Error.WriteLine("DEBUG: " + message);
        }

        _clients[remote] = client;
        return client;
    }

    /// <summary>The client certificate and pinned server certificates of this configuration.</summary>
    public ClientCertificates Certificates => new(Config.Directory);

    /// <summary>An HTTPS remote: the client certificate (unless public) and the pinned server certificate, if any.</summary>
    private BerthClient ConnectHttps(string remote, RemoteEntry entry)
    {
        var certificates = Certificates;
        var clientCertificate = entry.Public ? null : certificates.LoadClientCertificate();
        using var serverCertificate = certificates.LoadServerCertificate(remote);
        return BerthClient.ConnectHttps(new Uri(entry.Addr), clientCertificate, serverCertificate is null ? null : X509CertificateLoader.LoadCertificate(serverCertificate.RawData));
    }

    /// <summary>The socket of a <c>unix://</c> address: <c>unix://</c> is the default socket, <c>unix:///path</c> a given one.</summary>
    internal static string? SocketPath(string addr, Func<string, string?> getEnvironment)
    {
        if (!addr.StartsWith("unix:", StringComparison.Ordinal))
        {
            return null;
        }

        var path = addr["unix:".Length..].TrimStart('/');
        return path.Length == 0 ? BerthClient.DefaultSocketPath(getEnvironment) : "/" + path;
    }

    /// <summary>
    /// The edit loop of <c>lxc ... edit</c>: with stdin not a terminal the YAML is read from it and applied once;
    /// otherwise the editor opens on <paramref name="yaml"/>, and on a parse or server error the user may re-open it.
    /// </summary>
    public async Task EditAsync(string yaml, Func<string, Task> apply)
    {
        if (!Host.InputIsTerminal)
        {
            await apply(await Host.In.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        var text = yaml;
        while (true)
        {
            text = Host.Edit(text);
            try
            {
                await apply(text).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (CliApp.ErrorMessage(e) is { } message)
            {
                await Error.WriteLineAsync("Config parsing error: " + message).ConfigureAwait(false);
                await Error.WriteLineAsync("Press enter to open the editor again or ctrl+c to abort change").ConfigureAwait(false);
                if (await Host.In.ReadLineAsync().ConfigureAwait(false) is null)
                {
                    throw;
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
