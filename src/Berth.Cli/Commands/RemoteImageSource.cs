using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>
/// Where a server should pull an image from when it lives on another remote, as lxc's
/// CreateInstanceFromImage and CopyImage tell it: a simplestreams remote by its URL and the name asked for; an
/// LXD-protocol one by its addresses and certificate, with a one-time secret for a private image.
/// </summary>
internal sealed record RemoteImageSource(List<string> Servers, string Protocol, string Name, string Certificate, string Secret, string Project, Image? Image)
{
    public static async Task<RemoteImageSource> ResolveAsync(CliContext context, string sourceRemote, string raw, CancellationToken cancellationToken)
    {
        if (!context.Config.Remotes.TryGetValue(sourceRemote, out var entry))
        {
            throw new CliException($"The remote \"{sourceRemote}\" doesn't exist");
        }

        var (_, name) = context.ParseRemote(raw);
        if (entry.Protocol == "simplestreams")
        {
            // The target reads the stream itself; the name (an alias or a fingerprint) is passed as asked.
            return new([entry.Addr], "simplestreams", name, "", "", "", null);
        }

        var (source, image, _) = await ImageTarget.ResolveAsync(context, raw, cancellationToken).ConfigureAwait(false);
        var (addresses, certificate) = await source.GetConnectionInfoAsync(cancellationToken).ConfigureAwait(false);

        // The certificate pinned for the remote (servercerts/), which an untrusted client also has; else the server's.
        using (var pinned = context.Certificates.LoadServerCertificate(sourceRemote))
        {
            certificate = pinned is null ? certificate : pinned.ExportCertificatePem() + "\n";
        }

        // A public image asked for by alias is pulled by that alias (so auto-update can follow it); a private one
        // by fingerprint, with a secret from the source that the target presents.
        var byName = image.Public && !image.Fingerprint.StartsWith(name, StringComparison.OrdinalIgnoreCase) ? name : image.Fingerprint;
        var secret = image.Public ? "" : await source.CreateImageSecretAsync(image.Fingerprint, cancellationToken).ConfigureAwait(false);
        return new(addresses, "lxd", byName, certificate, secret, string.IsNullOrEmpty(source.Project) ? "default" : source.Project, image);
    }

    /// <summary>The <c>source</c> of an instance created from this image (the first address: the field holds one).</summary>
    public InstanceSource ForInstance() => new()
    {
        Type = "image",
        Mode = "pull",
        Server = Servers.Count > 0 ? Servers[0] : throw new CliException("The source server isn't listening on the network"),
        Protocol = Protocol,
        Alias = Image is null || Name != Image.Fingerprint ? Name : "",
        Fingerprint = Image is not null && Name == Image.Fingerprint ? Name : "",
        Certificate = Certificate,
        Secret = Secret,
        Project = Project,
    };
}
