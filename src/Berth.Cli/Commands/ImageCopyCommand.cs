using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth image copy [remote:]image remote: [--alias A]... [--copy-aliases] [--auto-update] [--public] [--profile P]</c>:
/// as lxc's, the target server pulls the image from the source (<c>source.type=image</c>), with a one-time secret
/// for a private image; the aliases are then set on the target by the client.
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
    private readonly Option<string> _mode = new("--mode") { Description = "Transfer mode (pull: the target fetches from the source)", DefaultValueFactory = _ => "pull" };

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
        if (mode != "pull")
        {
            throw new CliException($"Transfer mode \"{mode}\" is not supported by berth: use pull");
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
