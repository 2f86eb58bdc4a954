using System.CommandLine;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Config;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth remote add [NAME] URL|TOKEN</c>, as lxc's: pins the server certificate (after the fingerprint prompt or
/// <c>--accept-certificate</c>; a token carries the expected fingerprint), then has the client certificate trusted
/// with the trust password or the token.
/// </summary>
internal sealed class RemoteAddCommand : Command
{
    private readonly Argument<string> _name = new("remote") { Description = "Remote name (or the address, used as name)" };
    private readonly Argument<string?> _address = new("address") { Description = "IP, FQDN, URL or trust token", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _acceptCertificate = new("--accept-certificate") { Description = "Accept certificate" };
    private readonly Option<string?> _password = new("--password") { Description = "Remote admin password" };
    private readonly Option<string?> _token = new("--token") { Description = "Remote trust token" };
    private readonly Option<string?> _protocol = new("--protocol") { Description = "Server protocol (lxd or simplestreams)" };
    private readonly Option<string?> _authType = new("--auth-type") { Description = "Server authentication type (tls)" };
    private readonly Option<bool> _public = new("--public") { Description = "Public image server" };
    private readonly Option<string?> _project = new("--project") { Description = "Project to use for the remote" };

    public RemoteAddCommand(CliApp app) : base("add", "Add new remote servers")
    {
        Arguments.Add(_name);
        Arguments.Add(_address);
        Options.Add(_acceptCertificate);
        Options.Add(_password);
        Options.Add(_token);
        Options.Add(_protocol);
        Options.Add(_authType);
        Options.Add(_public);
        Options.Add(_project);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var name = context.GetValue(_name);
        var address = context.GetValue(_address) ?? name;
        if (address.Length == 0)
        {
            throw new CliException("Remote address must not be empty");
        }

        if (name.Contains(':', StringComparison.Ordinal))
        {
            throw new CliException("Remote names may not contain colons");
        }

        if (config.Remotes.TryGetValue(name, out var existing))
        {
            throw new CliException($"Remote {name} exists as <{existing.Addr}>");
        }

        var protocol = context.GetValue(_protocol) ?? "lxd";
        var authType = context.GetValue(_authType) ?? "tls";
        if (authType != "tls")
        {
            throw new CliException($"Authentication type '{authType}' not supported by this client");
        }

        if (DecodeToken(address) is { } token)
        {
            await AddFromTokenAsync(context, name, address, token, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (protocol == "simplestreams")
        {
            if (!address.StartsWith("https://", StringComparison.Ordinal))
            {
                throw new CliException("Only https URLs are supported for simplestreams");
            }

            Save(context, name, new RemoteEntry { Addr = address, Protocol = protocol, Public = true });
            return;
        }

        if (protocol != "lxd")
        {
            throw new CliException($"Invalid protocol: {protocol}");
        }

        var url = NormalizeUrl(address);
        if (url.StartsWith("unix:", StringComparison.Ordinal))
        {
            Save(context, name, new RemoteEntry { Addr = url, AuthType = "tls", Project = context.GetValue(_project) ?? "" });
            return;
        }

        var isPublic = context.GetValue(_public);
        if (!isPublic)
        {
            EnsureClientCertificate(context);
        }

        await PinServerCertificateAsync(context, name, new Uri(url), expectedFingerprint: null, cancellationToken).ConfigureAwait(false);
        var entry = new RemoteEntry { Addr = url, Protocol = "lxd", AuthType = "tls", Public = isPublic, Project = context.GetValue(_project) ?? "default" };
        if (isPublic)
        {
            Save(context, name, entry with { AuthType = "", Project = "" });
            return;
        }

        using var client = Connect(context, name, url);
        var (server, _) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
        if (server.Public)
        {
            Save(context, name, entry with { Public = true, AuthType = "", Project = "" });
            return;
        }

        if (server.Auth != "trusted")
        {
            var secret = context.GetValue(_password) ?? context.GetValue(_token);
            if (secret is null)
            {
                await context.Out.WriteAsync($"Admin password (or token) for {name}: ").ConfigureAwait(false);
                secret = (await context.Host.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim() ?? "";
                await context.Out.WriteLineAsync().ConfigureAwait(false);
            }

            await client.CreateCertificateAsync(new CertificatesPost { Type = "client", Password = secret }, cancellationToken).ConfigureAwait(false);
            (server, _) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
            if (server.Auth != "trusted")
            {
                throw new CliException("Server doesn't trust us after authentication");
            }

            await context.Out.WriteLineAsync("Client certificate now trusted by server: " + name).ConfigureAwait(false);
        }

        Save(context, name, entry);
    }

    /// <summary>Tries the token's addresses in turn; the server must present the certificate the token names.</summary>
    private async Task AddFromTokenAsync(CliContext context, string name, string rawToken, CertificateAddToken token, CancellationToken cancellationToken)
    {
        EnsureClientCertificate(context);
        var errors = new List<string>();
        foreach (var address in token.Addresses)
        {
            var url = "https://" + address;
            try
            {
                await PinServerCertificateAsync(context, name, new Uri(url), token.Fingerprint, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                errors.Add($"{address}: {e.Message}");
                continue;
            }

            using var client = Connect(context, name, url);
            var (server, _) = await client.GetServerAsync(cancellationToken).ConfigureAwait(false);
            if (server.Auth != "trusted")
            {
                try
                {
                    await client.CreateCertificateAsync(new CertificatesPost { Type = "client", Password = rawToken }, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiException e)
                {
                    throw new CliException("Failed to create certificate: " + e.Message);
                }
            }

            Save(context, name, new RemoteEntry { Addr = url, Protocol = "lxd", AuthType = "tls", Project = context.GetValue(_project) ?? "default" });
            return;
        }

        throw new CliException("All server addresses are unavailable: " + string.Join("; ", errors));
    }

    /// <summary>
    /// Fetches the server certificate and keeps it in <c>servercerts/</c> unless the system CAs trust it; an untrusted
    /// one must match the token's fingerprint, or be accepted by flag or at the prompt.
    /// </summary>
    private async Task PinServerCertificateAsync(CliContext context, string name, Uri url, string? expectedFingerprint, CancellationToken cancellationToken)
    {
        var (certificate, trustedByCa) = await BerthClient.GetServerCertificateAsync(url, cancellationToken).ConfigureAwait(false);
        using (certificate)
        {
            var fingerprint = ClientCertificates.Fingerprint(certificate);
            if (expectedFingerprint is not null)
            {
                if (!string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliException($"Certificate fingerprint mismatch between certificate token and server \"{url}\"");
                }
            }
            else if (trustedByCa)
            {
                return;
            }
            else if (!context.GetValue(_acceptCertificate))
            {
                await context.Out.WriteLineAsync("Certificate fingerprint: " + fingerprint).ConfigureAwait(false);
                await context.Out.WriteAsync("ok (y/n/[fingerprint])? ").ConfigureAwait(false);
                var line = (await context.Host.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim() ?? "";
                if (line != fingerprint)
                {
                    if (line.Length == 0 || char.ToLowerInvariant(line[0]) == 'n')
                    {
                        throw new CliException("Server certificate NACKed by user");
                    }

                    if (char.ToLowerInvariant(line[0]) != 'y')
                    {
                        throw new CliException("Please type 'y', 'n' or the fingerprint:");
                    }
                }
            }

            context.Certificates.SaveServerCertificate(name, certificate);
        }
    }

    private static void EnsureClientCertificate(CliContext context)
    {
        if (!context.Certificates.Exists)
        {
            context.Error.WriteLine("Generating a client certificate. This may take a minute...");
            context.Certificates.EnsureClientCertificate();
        }
    }

    private static BerthClient Connect(CliContext context, string name, string url)
    {
        var certificates = context.Certificates;
        using var pinned = certificates.LoadServerCertificate(name);
        return BerthClient.ConnectHttps(new Uri(url), certificates.LoadClientCertificate(),
            pinned is null ? null : System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(pinned.RawData), TimeSpan.FromSeconds(60));
    }

    private static void Save(CliContext context, string name, RemoteEntry entry)
    {
        context.Config.Remotes[name] = entry;
        context.Config.Save();
    }

    /// <summary>lxc's URL rules: a bare host gets <c>https://</c> and port 8443; a path is a unix socket.</summary>
    internal static string NormalizeUrl(string address)
    {
        if (address.StartsWith('/'))
        {
            return "unix://" + address;
        }

        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            return address;
        }

        var text = address.Contains("://", StringComparison.Ordinal) ? address : "https://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "https")
        {
            throw new CliException($"Invalid URL scheme \"{(uri?.Scheme ?? text)}\" in \"{address}\"");
        }

        var port = uri.IsDefaultPort && !text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..].Contains(":443", StringComparison.Ordinal) ? 8443 : uri.Port;
        return $"https://{uri.Host}:{port}";
    }

    /// <summary>A trust token is base64 of JSON with a client name, addresses, secret and fingerprint.</summary>
    private static CertificateAddToken? DecodeToken(string text)
    {
        try
        {
            var token = JsonSerializer.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(text)), ApiJsonContext.Wire.CertificateAddToken);
            return token is { ClientName.Length: > 0, Secret.Length: > 0, Fingerprint.Length: > 0, Addresses.Count: > 0 } ? token : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
