using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client.Builders;

namespace Berth.Cli.Commands;

/// <summary><c>berth image</c>: list, import, build, delete, alias create, info, show, edit, export, refresh, copy.</summary>
internal sealed class ImageCommand : Command
{
    public ImageCommand(CliApp app) : base("image", "Manage images")
    {
        Subcommands.Add(new ImageListCommand(app));
        Subcommands.Add(new ImageImportCommand(app));
        Subcommands.Add(new ImageBuildCommand(app));
        Subcommands.Add(new ImageDeleteCommand(app));
        Subcommands.Add(new ImageAliasCommand(app));
        Subcommands.Add(new ImageInfoCommand(app));
        Subcommands.Add(new ImageShowCommand(app));
        Subcommands.Add(new ImageEditCommand(app));
        Subcommands.Add(new ImageExportCommand(app));
        Subcommands.Add(new ImageRefreshCommand(app));
        Subcommands.Add(new ImageCopyCommand(app));
        Subcommands.Add(new ImageGetPropertyCommand(app));
        Subcommands.Add(new ImageSetPropertyCommand(app));
        Subcommands.Add(new ImageSetPropertyCommand(app, unset: true));
    }
}

/// <summary><c>berth image list</c>: ALIAS, FINGERPRINT, PUBLIC, DESCRIPTION, ARCHITECTURE, TYPE, SIZE, UPLOAD DATE.</summary>
internal sealed class ImageListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ImageListCommand(CliApp app) : base("list", "List images")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (images, _) = await context.Client(context.ParseRemoteOnly(context.GetValue(_remote))).GetAsync("/1.0/images?recursion=1", ApiJsonContext.Wire.ListImage, cancellationToken).ConfigureAwait(false);
        var rows = images.Select(i => new[]
        {
            i.Aliases.FirstOrDefault()?.Name ?? "",
            i.Fingerprint[..12],
            i.Public ? "yes" : "no",
            i.Properties.GetValueOrDefault("description", ""),
            i.Architecture,
            i.Type.ToUpperInvariant(),
            $"{i.Size / 1048576.0:0.00}MB",
            i.UploadedAt.UtcDateTime.ToString("MMM d, yyyy 'at' h:mmtt '(UTC)'", System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context),
            ["ALIAS", "FINGERPRINT", "PUBLIC", "DESCRIPTION", "ARCHITECTURE", "TYPE", "SIZE", "UPLOAD DATE"], rows,
            _ => Render.Element(images, ApiJsonContext.Wire.ListImage))).ConfigureAwait(false);
    }
}

/// <summary><c>berth image import FILE [--alias A] [--public]</c>: a unified image, streamed.</summary>
internal sealed class ImageImportCommand : Command
{
    private readonly Argument<string> _file = new("file") { Description = "Image tarball" };
    private readonly Option<string[]> _alias = new("--alias") { Description = "New aliases to add to the image" };
    private readonly Option<bool> _public = new("--public") { Description = "Make the image public" };

    public ImageImportCommand(CliApp app) : base("import", "Import images into the image store")
    {
        Arguments.Add(_file);
        Options.Add(_alias);
        Options.Add(_public);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var client = context.Client(context.Config.DefaultRemote);
        var fingerprint = await client.UploadImageAsync(context.GetValue(_file), context.GetValue(_public), cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var alias in context.GetValue(_alias) ?? [])
        {
            await client.CreateImageAliasAsync(alias, fingerprint, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync($"Image imported with fingerprint: {fingerprint}").ConfigureAwait(false);
    }
}

/// <summary>
/// <c>berth image build busybox|debian [--alias A]</c>: base images made from what the host has: its busybox-static
/// (no network needed), or debootstrap from its own apt mirror.
/// </summary>
internal sealed class ImageBuildCommand : Command
{
    private readonly Argument<string> _kind = new("kind") { Description = "What to build: busybox or debian" };
    private readonly Option<string[]> _alias = new("--alias") { Description = "Aliases for the built image" };
    private readonly Option<bool> _public = new("--public") { Description = "Make the image public" };
    private readonly Option<string> _release = new("--release") { Description = "Debian release (default: bookworm)", DefaultValueFactory = _ => DebianImageBuilder.DefaultRelease };
    private readonly Option<string?> _mirror = new("--mirror") { Description = "Debian mirror (default: the one the host's apt uses)" };

    public ImageBuildCommand(CliApp app) : base("build", "Build a base image from what the host has (busybox, debian)")
    {
        Arguments.Add(_kind);
        Options.Add(_alias);
        Options.Add(_public);
        Options.Add(_release);
        Options.Add(_mirror);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var kind = context.GetValue(_kind);
        if (kind is not ("busybox" or "debian"))
        {
            throw new CliException($"Unknown image kind \"{kind}\" (this berth builds: busybox, debian)");
        }

        var dir = Directory.CreateTempSubdirectory("berth-build-");
        try
        {
            var file = Path.Combine(dir.FullName, kind + ".tar.gz");
            string description;
            try
            {
                description = kind == "busybox"
                    ? BusyboxImageBuilder.Build(file)
                    : await DebianImageBuilder.BuildAsync(file, context.GetValue(_release)!, context.GetValue(_mirror), line => context.Error.WriteLine(line), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(e.Message);
            }

            var client = context.Client(context.Config.DefaultRemote);
            var fingerprint = await client.UploadImageAsync(file, context.GetValue(_public), cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var alias in context.GetValue(_alias) ?? [])
            {
                await client.CreateImageAliasAsync(alias, fingerprint, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync($"Image built: {description}\nFingerprint: {fingerprint}").ConfigureAwait(false);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary><c>berth image delete image...</c>.</summary>
internal sealed class ImageDeleteCommand : Command
{
    private readonly Argument<string[]> _images = new("image") { Description = "[<remote>:]<image>", Arity = ArgumentArity.OneOrMore };

    public ImageDeleteCommand(CliApp app) : base("delete", "Delete images")
    {
        Aliases.Add("rm");
        Arguments.Add(_images);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        foreach (var raw in context.GetValue(_images))
        {
            var (remote, image) = context.ParseRemote(raw);
            var client = context.Client(remote);
            var fingerprint = image;
            try
            {
                var (alias, _) = await client.GetAsync("/1.0/images/aliases/" + Uri.EscapeDataString(image), ApiJsonContext.Wire.ImageAliasesEntry, cancellationToken).ConfigureAwait(false);
                fingerprint = alias.Target;
            }
            catch (ApiException e) when (e.Status == 404)
            {
            }

            var (response, _) = await client.RawAsync(HttpMethod.Delete, "/1.0/images/" + Uri.EscapeDataString(fingerprint), cancellationToken: cancellationToken).ConfigureAwait(false);
            await client.WaitOperationAsync(response.Operation, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth image alias create name fingerprint</c>.</summary>
internal sealed class ImageAliasCommand : Command
{
    public ImageAliasCommand(CliApp app) : base("alias", "Manage image aliases")
    {
        var create = new Command("create", "Create aliases for existing images");
        var name = new Argument<string>("alias") { Description = "[<remote>:]<alias>" };
        var target = new Argument<string>("fingerprint") { Description = "<fingerprint>" };
        create.Arguments.Add(name);
        create.Arguments.Add(target);
        app.SetAction(create, async (context, cancellationToken) =>
        {
            var (remote, alias) = context.ParseRemote(context.GetValue(name));
            await context.Client(remote).CreateImageAliasAsync(alias, context.GetValue(target), cancellationToken: cancellationToken).ConfigureAwait(false);
        });
        Subcommands.Add(create);
        Subcommands.Add(new ImageAliasDeleteCommand(app));
        Subcommands.Add(new ImageAliasListCommand(app));
        Subcommands.Add(new ImageAliasRenameCommand(app));
    }
}
