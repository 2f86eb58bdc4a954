using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>berth config trust</c>: the server's trusted client certificates and certificate add tokens.</summary>
internal sealed class ConfigTrustCommand : Command
{
    public ConfigTrustCommand(CliApp app) : base("trust", "Manage trusted clients")
    {
        Subcommands.Add(new ConfigTrustAddCommand(app));
        Subcommands.Add(new ConfigTrustEditCommand(app));
        Subcommands.Add(new ConfigTrustListCommand(app));
        Subcommands.Add(new ConfigTrustListTokensCommand(app));
        Subcommands.Add(new ConfigTrustRemoveCommand(app));
        Subcommands.Add(new ConfigTrustRevokeTokenCommand(app));
        Subcommands.Add(new ConfigTrustShowCommand(app));
    }

    /// <summary><c>[remote:]fingerprint</c>, or the legacy <c>remote: fingerprint</c>.</summary>
    internal static (string Remote, string Fingerprint) Target(CliContext context, string[] args)
    {
        var (remote, name) = context.ParseRemote(args.Length > 0 ? args[0] : "");
        if (args.Length == 2)
        {
            name = args[1];
        }

        return name.Length > 0 ? (remote, name) : throw new CliException("Missing certificate fingerprint");
    }

    internal static string Path(string fingerprint) => "/1.0/certificates/" + BerthClient.Escape(fingerprint);

    /// <summary>The running certificate add tokens of the server (token operations of the default project).</summary>
    internal static async Task<List<(Operation Operation, string Name, string Token, string ExpiresAt)>> TokensAsync(BerthClient client, CancellationToken cancellationToken)
    {
        var tokens = new List<(Operation, string, string, string)>();
        foreach (var operation in await client.GetOperationsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (operation.Class != OperationClass.Token || operation.StatusCode != StatusCode.Running || TokenOf(operation) is not var (token, name, expiresAt))
            {
                continue;
            }

            tokens.Add((operation, name, token, expiresAt));
        }

        return tokens;
    }

    /// <summary>
    /// The token text lxc prints: base64 of the JSON of LXD's <c>api.CertificateAddToken</c>, in Go's field order and
    /// time format (a zero time when the token does not expire).
    /// </summary>
    internal static (string Token, string Name, string ExpiresAt)? TokenOf(Operation operation)
    {
        var metadata = operation.Metadata;
        if (metadata is null || !metadata.TryGetValue("request", out var request) || request.ValueKind != JsonValueKind.Object
            || !request.TryGetProperty("name", out var nameElement) || !metadata.TryGetValue("secret", out var secret)
            || !metadata.TryGetValue("fingerprint", out var fingerprint) || !metadata.TryGetValue("addresses", out var addresses))
        {
            return null;
        }

        var name = nameElement.GetString() ?? "";
        var expiry = metadata.TryGetValue("expiresAt", out var expires) && expires.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(expires.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : (DateTimeOffset?)null;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("client_name", name);
            writer.WriteString("fingerprint", fingerprint.GetString());
            writer.WritePropertyName("addresses");
            addresses.WriteTo(writer);
            writer.WriteString("secret", secret.GetString());
            writer.WriteString("expires_at", expiry is { } e ? expires.GetString() : "0001-01-01T00:00:00Z");
            writer.WriteEndObject();
        }

        var display = expiry is { } t && t.ToUnixTimeSeconds() > 0 ? t.ToUniversalTime().ToString("yyyy/MM/dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "";
        return (Convert.ToBase64String(buffer.ToArray()), name, display);
    }
}

/// <summary>
/// <c>berth config trust add [remote:] [cert]</c>: trusts a PEM certificate file, or without one issues a certificate add
/// token for a client name (<c>--name</c>, else asked for on stdin).
/// </summary>
internal sealed class ConfigTrustAddCommand : Command
{
    private readonly Argument<string[]> _args = new("cert") { Description = "[<remote>:] [<cert>]", Arity = new ArgumentArity(0, 2) };
    private readonly Option<string?> _name = new("--name") { Description = "Alternative certificate name" };
    private readonly Option<string?> _projects = new("--projects") { Description = "List of projects to restrict the certificate to" };
    private readonly Option<bool> _restricted = new("--restricted") { Description = "Restrict the certificate to one or more projects" };
    private readonly Option<string> _type = new("--type") { Description = "Type of certificate", DefaultValueFactory = _ => "client" };

    public ConfigTrustAddCommand(CliApp app) : base("add", "Add new trusted client")
    {
        Arguments.Add(_args);
        Options.Add(_name);
        Options.Add(_projects);
        Options.Add(_restricted);
        Options.Add(_type);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.GetValue(_args) ?? [];
        string? remoteArg = null;
        string? path = null;
        if (args.Length == 2)
        {
            (remoteArg, path) = (args[0], args[1]);
        }
        else if (args.Length == 1)
        {
            if (args[0].EndsWith(':'))
            {
                remoteArg = args[0];
            }
            else
            {
                path = args[0];
            }
        }

        var type = context.GetValue(_type);
        if (type is not ("client" or "metrics"))
        {
            throw new CliException($"Unknown certificate type \"{type}\"");
        }

        var request = new CertificatesPost
        {
            Type = type,
            Restricted = context.GetValue(_restricted),
            Projects = context.GetValue(_projects) is { Length: > 0 } projects ? [.. projects.Split(',')] : [],
        };
        var client = context.Client(context.ParseRemoteOnly(remoteArg));
        if (path is null)
        {
            await IssueTokenAsync(context, client, request, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!File.Exists(path))
        {
            throw new CliException($"open {path}: no such file or directory");
        }

        using var certificate = X509CertificateLoader.LoadCertificate(PemOrDer(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)));
        request.Certificate = Convert.ToBase64String(certificate.RawData);
        request.Name = context.GetValue(_name) is { Length: > 0 } name ? name : System.IO.Path.GetFileName(path);
        await client.CreateCertificateAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task IssueTokenAsync(CliContext context, BerthClient client, CertificatesPost request, CancellationToken cancellationToken)
    {
        var name = context.GetValue(_name);
        if (string.IsNullOrEmpty(name))
        {
            await context.Out.WriteAsync("Please provide client name: ").ConfigureAwait(false);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            name = (await context.Host.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw new CliException("Client name must be provided");
            }
        }

        request.Name = name;
        request.Token = true;
        var (response, _) = await client.SendJsonAsync(HttpMethod.Post, "/1.0/certificates", request, ApiJsonContext.Wire.CertificatesPost, null, cancellationToken).ConfigureAwait(false);
        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation);
        if (operation is null || ConfigTrustCommand.TokenOf(operation) is not var (token, _, _))
        {
            throw new CliException("Failed converting token operation to certificate add token");
        }

        if (!context.Quiet)
        {
            await context.Out.WriteLineAsync($"Client {name} certificate add token:").ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync(token).ConfigureAwait(false);
    }

    /// <summary>A certificate file as lxc reads it: PEM, else DER.</summary>
    private static byte[] PemOrDer(byte[] data)
    {
        var text = Encoding.ASCII.GetString(data);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text).RawData
            : data;
    }
}

/// <summary><c>berth config trust list [remote:]</c>: TYPE, NAME, COMMON NAME, FINGERPRINT, ISSUE DATE, EXPIRY DATE.</summary>
internal sealed class ConfigTrustListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ConfigTrustListCommand(CliApp app) : base("list", "List trusted clients")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.ParseRemoteOnly(context.GetValue(_remote)));
        var certificates = await client.GetCertificatesAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<string[]>();
        foreach (var entry in certificates)
        {
            X509Certificate2 parsed;
            try
            {
                parsed = X509Certificate2.CreateFromPem(entry.Certificate);
            }
            catch (CryptographicException)
            {
                throw new CliException("Invalid certificate");
            }

            using (parsed)
            {
                rows.Add([entry.Type, entry.Name, parsed.GetNameInfo(X509NameType.SimpleName, false), entry.Fingerprint[..Math.Min(12, entry.Fingerprint.Length)],
                    Date(parsed.NotBefore), Date(parsed.NotAfter)]);
            }
        }

        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["TYPE", "NAME", "COMMON NAME", "FINGERPRINT", "ISSUE DATE", "EXPIRY DATE"], rows,
            _ => Render.Element(certificates, ApiJsonContext.Wire.ListCertificate))).ConfigureAwait(false);
    }

    /// <summary>Go's <c>Jan 2, 2006 at 3:04pm (MST)</c>, in UTC.</summary>
    private static string Date(DateTime time)
    {
        var utc = time.ToUniversalTime();
        return utc.ToString("MMM d, yyyy 'at' h:mm", CultureInfo.InvariantCulture) + (utc.Hour < 12 ? "am" : "pm") + " (UTC)";
    }
}

/// <summary><c>berth config trust list-tokens [remote:]</c>: NAME, TOKEN, EXPIRES AT.</summary>
internal sealed class ConfigTrustListTokensCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ConfigTrustListTokensCommand(CliApp app) : base("list-tokens", "List all active certificate add tokens")
    {
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.ParseRemoteOnly(context.GetValue(_remote)));
        var tokens = await ConfigTrustCommand.TokensAsync(client, cancellationToken).ConfigureAwait(false);
        var rows = tokens.Select(t => new[] { t.Name, t.Token, t.ExpiresAt }).ToList();

        // lxc marshals an unexported struct: Go field names in JSON, lower-cased in YAML.
        JsonElement Raw(string format)
        {
            var yaml = format == TableFormat.Yaml;
            var list = new JsonArray();
            foreach (var (_, name, token, expiresAt) in tokens)
            {
                list.Add((JsonNode)new JsonObject
                {
                    [yaml ? "clientname" : "ClientName"] = name,
                    [yaml ? "token" : "Token"] = token,
                    [yaml ? "expiresat" : "ExpiresAt"] = expiresAt,
                });
            }

            return Render.Element<JsonNode>(list, CliJsonContext.Default.JsonNode);
        }

        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["NAME", "TOKEN", "EXPIRES AT"], rows, Raw)).ConfigureAwait(false);
    }
}

/// <summary><c>berth config trust revoke-token [remote:] name</c>: cancels the client's token operation.</summary>
internal sealed class ConfigTrustRevokeTokenCommand : Command
{
    private readonly Argument<string[]> _args = new("name") { Description = "[<remote>:] <name>", Arity = new ArgumentArity(1, 2) };

    public ConfigTrustRevokeTokenCommand(CliApp app) : base("revoke-token", "Revoke certificate add token")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.GetValue(_args);
        var (remote, name) = args.Length == 2 ? (context.ParseRemoteOnly(args[0]), args[1]) : context.ParseRemote(args[0]);
        var client = context.Client(remote);
        foreach (var (operation, tokenName, _, _) in await ConfigTrustCommand.TokensAsync(client, cancellationToken).ConfigureAwait(false))
        {
            if (tokenName == name)
            {
                await client.DeleteOperationAsync(operation.Id, cancellationToken).ConfigureAwait(false);
                await context.Out.WriteLineAsync($"Certificate add token for {name} deleted").ConfigureAwait(false);
                return;
            }
        }

        throw new CliException($"No certificate add token for member {name} on remote: {remote}");
    }
}

/// <summary><c>berth config trust remove [remote:]fingerprint</c>.</summary>
internal sealed class ConfigTrustRemoveCommand : Command
{
    private readonly Argument<string[]> _args = new("fingerprint") { Description = "[<remote>:]<fingerprint>", Arity = new ArgumentArity(1, 2) };

    public ConfigTrustRemoveCommand(CliApp app) : base("remove", "Remove trusted client")
    {
        Aliases.Add("rm");
        Arguments.Add(_args);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (remote, fingerprint) = ConfigTrustCommand.Target(context, context.GetValue(_args));
            await context.Client(remote).RawAsync(HttpMethod.Delete, ConfigTrustCommand.Path(fingerprint), cancellationToken: cancellationToken).ConfigureAwait(false);
        });
    }
}

/// <summary><c>berth config trust show [remote:]fingerprint</c>: the certificate entry as YAML.</summary>
internal sealed class ConfigTrustShowCommand : Command
{
    private readonly Argument<string[]> _args = new("fingerprint") { Description = "[<remote>:]<fingerprint>", Arity = new ArgumentArity(1, 2) };

    public ConfigTrustShowCommand(CliApp app) : base("show", "Show trust configurations")
    {
        Arguments.Add(_args);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (remote, fingerprint) = ConfigTrustCommand.Target(context, context.GetValue(_args));
            var (certificate, _) = await context.Client(remote).GetAsync(ConfigTrustCommand.Path(fingerprint), ApiJsonContext.Wire.Certificate, cancellationToken).ConfigureAwait(false);
            await context.Out.WriteAsync(Render.Yaml(certificate, ApiJsonContext.Wire.Certificate)).ConfigureAwait(false);
        });
    }
}

/// <summary><c>berth config trust edit [remote:]fingerprint</c>: PUT of name, type, restricted, projects.</summary>
internal sealed class ConfigTrustEditCommand : Command
{
    private const string Header = """
        ### This is a YAML representation of the certificate.
        ### Any line starting with a '# will be ignored.
        ###
        ### Note that the fingerprint is shown but cannot be changed


        """;

    private readonly Argument<string[]> _args = new("fingerprint") { Description = "[<remote>:]<fingerprint>", Arity = new ArgumentArity(1, 2) };

    public ConfigTrustEditCommand(CliApp app) : base("edit", "Edit trust configurations as YAML")
    {
        Arguments.Add(_args);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, fingerprint) = ConfigTrustCommand.Target(context, context.GetValue(_args));
        var client = context.Client(remote);
        var path = ConfigTrustCommand.Path(fingerprint);
        var etag = (string?)null;
        var yaml = "";
        if (context.Host.InputIsTerminal)
        {
            (var certificate, etag) = await client.GetAsync(path, ApiJsonContext.Wire.Certificate, cancellationToken).ConfigureAwait(false);
            yaml = Header + Render.Yaml(certificate, ApiJsonContext.Wire.Certificate);
        }

        await context.EditAsync(yaml, async text =>
        {
            var put = Parse(text);
            await client.SendJsonAsync(HttpMethod.Put, path, put, ApiJsonContext.Wire.CertificatePut, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>The YAML reader keeps scalars as strings; <c>restricted</c> is a boolean on the wire.</summary>
    private static CertificatePut Parse(string text)
    {
        var node = YamlReader.Read(string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith('#'))));
        if (node is JsonObject fields && fields["restricted"] is JsonValue value && value.TryGetValue<string>(out var flag))
        {
            fields["restricted"] = flag is "true" or "yes";
        }

        try
        {
            return node.Deserialize(ApiJsonContext.Wire.CertificatePut) ?? new CertificatePut();
        }
        catch (JsonException e)
        {
            throw new CliException($"Invalid YAML: {e.Message}", e);
        }
    }
}
