using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth image copy [remote:]image remote: [--alias A]... [--copy-aliases] [--auto-update] [--public] [--profile P]
/// [--mode pull|push|relay]</c>, as lxc's: in pull mode the target server pulls the image from the source
/// (<c>source.type=image</c>), with a one-time secret for a private image; in push mode the source uploads it to the
/// target (HTTPS) with the target's push token; in relay mode this client downloads it and uploads it. The aliases
/// are then set on the target by the client.
/// </summary>
internal sealed class ImageCopyCommand : Command
{
    private readonly Argument<string> _source = new("source") { Description = "[<remote>:]<image> (alias or fingerprint)" };
    private readonly Argument<string> _target = new("target") { Description = "<remote>:" };
    private readonly Option<string[]> _alias = new("--alias") { Description = "New aliases to add to the image" };
    private readonly Option<bool> _copyAliases = new("--copy-aliases") { Description = "Copy aliases from source" };
    private readonly Option<bool> _autoUpdate = new("--auto-update") { Description = "Keep the image up to date after initial copy" };
    private readonly Option<bool> _public = new("--public") { Description = "Make image public" };
    private readonly Option<string[]> _profiles = new("--profile", "-p") { Description = "Profile to apply to the new image" };
    private readonly Option<string> _mode = new("--mode") { Description = "Transfer mode. One of pull, push or relay", DefaultValueFactory = _ => "pull" };

    public ImageCopyCommand(CliApp app) : base("copy", "Copy images between servers")
    {
        Aliases.Add("cp");
        Arguments.Add(_source);
        Arguments.Add(_target);
        Options.Add(_alias);
        Options.Add(_copyAliases);
        Options.Add(_autoUpdate);
        Options.Add(_public);
        Options.Add(_profiles);
        Options.Add(_mode);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var mode = context.GetValue(_mode);
        if (mode is not ("pull" or "push" or "relay"))
        {
            throw new CliException($"Invalid transfer mode \"{mode}\": use pull, push or relay");
        }

        if (mode != "pull" && context.GetValue(_autoUpdate))
        {
            throw new CliException("Auto update is only available in pull mode");
        }

        var (sourceRemote, name) = context.ParseRemote(context.GetValue(_source));
        var (targetRemote, targetName) = context.ParseRemote(context.GetValue(_target));
        if (targetName.Length > 0)
        {
            throw new CliException("Can't provide a name for the target image");
        }

        if (sourceRemote == targetRemote)
        {
            throw new CliException("The source and target servers must be different");
        }

        if (!context.Config.Remotes.TryGetValue(sourceRemote, out var entry))
        {
            throw new CliException($"The remote \"{sourceRemote}\" doesn't exist");
        }

        if (mode != "pull")
        {
            await CopyDirectAsync(context, mode, sourceRemote, targetRemote, entry.Protocol, cancellationToken).ConfigureAwait(false);
            return;
        }

        var profiles = context.GetValue(_profiles);
        var request = new ImagesPost
        {
            AutoUpdate = context.GetValue(_autoUpdate),
            Public = context.GetValue(_public),
            Profiles = profiles is { Length: > 0 } ? [.. profiles] : null,
            Source = new ImagesPostSource { Type = "image", Mode = "pull" },
        };
        var aliases = (context.GetValue(_alias) ?? []).Select(a => new ImageAlias { Name = a }).ToList();
        var remote = await RemoteImageSource.ResolveAsync(context, sourceRemote, context.GetValue(_source), cancellationToken).ConfigureAwait(false);
        request.Source.Protocol = remote.Protocol;
        request.Source.Fingerprint = remote.Name;
        request.Source.Certificate = remote.Certificate;
        request.Source.Secret = remote.Secret;
        if (remote.Image is { } image)
        {
            request.Source.Project = remote.Project;
            request.Profiles ??= image.Profiles;
            if (context.GetValue(_copyAliases))
            {
                aliases.AddRange(image.Aliases);
            }
        }

        var target = context.Client(targetRemote);
        var progress = new ProgressLine(context, "Copying the image: {0}");
        var fingerprint = await target.PullImageAsync(request, remote.Servers, progress.Update, cancellationToken).ConfigureAwait(false);
        progress.Done("Image copied successfully!");

        // berth does not read simplestreams indexes itself: the alias it was asked by is the one it knows.
        if (entry.Protocol == "simplestreams" && context.GetValue(_copyAliases) && !fingerprint.StartsWith(name, StringComparison.OrdinalIgnoreCase))
        {
            aliases.Add(new ImageAlias { Name = name });
        }

        await EnsureAliasesAsync(target, aliases, fingerprint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Push and relay. The image is named by its full fingerprint throughout (lxc 5.0.2 names a public image by the
    /// alias it was asked for, which a relayed download cannot be checked against).
    /// </summary>
    private async Task CopyDirectAsync(CliContext context, string mode, string sourceRemote, string targetRemote, string protocol, CancellationToken cancellationToken)
    {
        if (protocol == "simplestreams")
        {
            throw new CliException($"Transfer mode \"{mode}\" needs an LXD-protocol source; \"{sourceRemote}\" is a simplestreams remote");
        }

        var (source, image, _) = await ImageTarget.ResolveAsync(context, context.GetValue(_source), cancellationToken).ConfigureAwait(false);
        var target = context.Client(targetRemote);
        var aliases = (context.GetValue(_alias) ?? []).Select(a => new ImageAlias { Name = a }).ToList();
        if (context.GetValue(_copyAliases))
        {
            aliases.AddRange(image.Aliases);
        }

        var progress = new ProgressLine(context, "Copying the image: {0}");
        if (mode == "push")
        {
            if (target.BaseAddress.Scheme != Uri.UriSchemeHttps)
            {
                throw new CliException($"Push mode needs a target the source can reach: \"{targetRemote}\" is not an HTTPS remote");
            }

            string certificate;
            using (var pinned = context.Certificates.LoadServerCertificate(targetRemote))
            {
                certificate = pinned?.ExportCertificatePem() + "\n";
                if (pinned is null)
                {
                    (_, certificate) = await target.GetConnectionInfoAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            var (tokenId, secret) = await target.CreateImagePushTokenAsync(new ImagesPost
            {
                Source = new ImagesPostSource { Fingerprint = image.Fingerprint, Mode = "push" },
                Aliases = context.GetValue(_copyAliases) ? image.Aliases : null,
                ExpiresAt = image.ExpiresAt,
                Properties = image.Properties,
                Public = context.GetValue(_public),
            }, cancellationToken).ConfigureAwait(false);
            try
            {
                await source.PushImageAsync(image.Fingerprint, new ImageExportPost
                {
                    Target = target.BaseAddress.GetLeftPart(UriPartial.Authority),
                    Certificate = certificate,
                    Secret = secret,
                    Aliases = image.Aliases,
                    Project = string.IsNullOrEmpty(target.Project) ? "default" : target.Project,
                }, progress.Update, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Spent by the upload when it came; otherwise it must not stay usable.
                try
                {
                    await target.RawAsync(HttpMethod.Delete, "/1.0/operations/" + tokenId, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (ApiException)
                {
                }
            }
        }
        else
        {
            var dir = Directory.CreateTempSubdirectory("berth-image-relay-");
            try
            {
                var metadataPath = Path.Combine(dir.FullName, "metadata");
                var rootfsPath = Path.Combine(dir.FullName, "rootfs");
                ImageFileResult files;
                await using (var metadata = File.Create(metadataPath))
                await using (var rootfs = File.Create(rootfsPath))
                {
                    files = await source.ExportImageAsync(image.Fingerprint, metadata, rootfs, (done, total) => progress.Update(total > 0 ? $"{done * 100 / total}%" : $"{done} bytes"), cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                var filename = image.Filename.Length > 0 ? image.Filename : files.MetaName;
                await target.UploadImageFilesAsync(metadataPath, files.RootfsName.Length > 0 || files.RootfsSize > 0 ? rootfsPath : null, filename, context.GetValue(_public), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        progress.Done("Image copied successfully!");
        await EnsureAliasesAsync(target, aliases, image.Fingerprint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As lxc's ensureImageAliases: an alias that exists on the target is moved to the new image.</summary>
    internal static async Task EnsureAliasesAsync(BerthClient client, IReadOnlyList<ImageAlias> aliases, string fingerprint, CancellationToken cancellationToken)
    {
        if (aliases.Count == 0)
        {
            return;
        }

        var (existing, _) = await client.GetAsync("/1.0/images/aliases?recursion=1", ApiJsonContext.Wire.ListImageAliasesEntry, cancellationToken).ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alias in aliases.Where(a => names.Add(a.Name)))
        {
            if (existing.Any(e => e.Name == alias.Name))
            {
                await client.RawAsync(HttpMethod.Delete, "/1.0/images/aliases/" + BerthClient.Escape(alias.Name), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await client.CreateImageAliasAsync(alias.Name, fingerprint, alias.Description, cancellationToken).ConfigureAwait(false);
        }
    }
}
