using System.CommandLine;
using System.Globalization;
using System.Text;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>Shared by the image verbs: <c>[remote:]alias-or-fingerprint</c> to a full fingerprint.</summary>
internal static class ImageTarget
{
    public static Argument<string> Argument() => new("image") { Description = "[<remote>:]<image> (alias or fingerprint)" };

    public static async Task<(BerthClient Client, Image Image, string? ETag)> ResolveAsync(CliContext context, string raw, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(raw);
        var client = context.Client(remote);
        var fingerprint = name;
        try
        {
            var (alias, _) = await client.GetAsync("/1.0/images/aliases/" + Uri.EscapeDataString(name), ApiJsonContext.Wire.ImageAliasesEntry, cancellationToken).ConfigureAwait(false);
            fingerprint = alias.Target;
        }
        catch (ApiException e) when (e.Status == 404)
        {
        }

        var (image, etag) = await client.GetAsync("/1.0/images/" + Uri.EscapeDataString(fingerprint), ApiJsonContext.Wire.Image, cancellationToken).ConfigureAwait(false);
        return (client, image, etag);
    }
}

/// <summary><c>berth image info image</c>: LXD's layout.</summary>
internal sealed class ImageInfoCommand : Command
{
    private readonly Argument<string> _image = ImageTarget.Argument();

    public ImageInfoCommand(CliApp app) : base("info", "Show useful information about images")
    {
        Arguments.Add(_image);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (_, image, _) = await ImageTarget.ResolveAsync(context, context.GetValue(_image), cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        string Date(DateTimeOffset d) => d <= DateTimeOffset.UnixEpoch ? "never" : d.UtcDateTime.ToString("yyyy/MM/dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        text.Append(CultureInfo.InvariantCulture, $"Fingerprint: {image.Fingerprint}\n");
        text.Append(CultureInfo.InvariantCulture, $"Size: {image.Size / 1048576.0:0.00}MB\n");
        text.Append(CultureInfo.InvariantCulture, $"Architecture: {image.Architecture}\n");
        text.Append(CultureInfo.InvariantCulture, $"Type: {image.Type}\n");
        text.Append(CultureInfo.InvariantCulture, $"Public: {(image.Public ? "yes" : "no")}\n");
        text.Append("Timestamps:\n");
        text.Append(CultureInfo.InvariantCulture, $"    Created: {Date(image.CreatedAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"    Uploaded: {Date(image.UploadedAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"    Expires: {Date(image.ExpiresAt)}\n");
        text.Append(CultureInfo.InvariantCulture, $"    Last used: {Date(image.LastUsedAt)}\n");
        text.Append("Properties:\n");
        foreach (var (key, value) in image.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"    {key}: {value}\n");
        }

        text.Append("Aliases:\n");
        foreach (var alias in image.Aliases)
        {
            text.Append(CultureInfo.InvariantCulture, $"    - {alias.Name}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"Cached: {(image.Cached ? "yes" : "no")}\n");
        text.Append(CultureInfo.InvariantCulture, $"Auto update: {(image.AutoUpdate ? "enabled" : "disabled")}\n");
        if (image.UpdateSource is { } source)
        {
            text.Append(CultureInfo.InvariantCulture, $"Source:\n    Server: {source.Server}\n    Protocol: {source.Protocol}\n    Alias: {source.Alias}\n");
        }

        await context.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
    }
}

/// <summary><c>berth image show image</c>: the writable fields as YAML.</summary>
internal sealed class ImageShowCommand : Command
{
    private readonly Argument<string> _image = ImageTarget.Argument();

    public ImageShowCommand(CliApp app) : base("show", "Show image properties")
    {
        Arguments.Add(_image);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (_, image, _) = await ImageTarget.ResolveAsync(context, context.GetValue(_image), cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(Render.Yaml(ImageEditCommand.Writable(image), ApiJsonContext.Wire.ImagePut)).ConfigureAwait(false);
    }
}

/// <summary><c>berth image edit image</c>: PUT of the writable fields, from $EDITOR or stdin.</summary>
internal sealed class ImageEditCommand : Command
{
    private const string Header = """
        ### This is the image of Berth, as YAML: auto_update, properties, public, expires_at, profiles.
        ### Lines starting with '#' are ignored.

        """;

    private readonly Argument<string> _image = ImageTarget.Argument();

    public ImageEditCommand(CliApp app) : base("edit", "Edit image properties as YAML")
    {
        Arguments.Add(_image);
        app.SetAction(this, RunAsync);
    }

    public static ImagePut Writable(ImagePut image) => new()
    {
        AutoUpdate = image.AutoUpdate,
        Properties = image.Properties,
        Public = image.Public,
        ExpiresAt = image.ExpiresAt,
        Profiles = image.Profiles,
    };

    /// <summary>The YAML reader keeps scalars as strings; auto_update and public are booleans on the wire.</summary>
    private static ImagePut Parse(string text) => Render.FromYaml(text, ApiJsonContext.Wire.ImagePut, "auto_update", "public");

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (client, image, etag) = await ImageTarget.ResolveAsync(context, context.GetValue(_image), cancellationToken).ConfigureAwait(false);
        await context.EditAsync(Header + Render.Yaml(Writable(image), ApiJsonContext.Wire.ImagePut), async text =>
        {
            var put = Writable(Parse(text));
            await client.SendJsonAsync(HttpMethod.Put, "/1.0/images/" + image.Fingerprint, put, ApiJsonContext.Wire.ImagePut, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}

/// <summary><c>berth image refresh image...</c>: re-pull from the recorded source.</summary>
internal sealed class ImageRefreshCommand : Command
{
    private readonly Argument<string[]> _images = new("image") { Description = "[<remote>:]<image>", Arity = ArgumentArity.OneOrMore };

    public ImageRefreshCommand(CliApp app) : base("refresh", "Refresh images from their source")
    {
        Arguments.Add(_images);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        foreach (var raw in context.GetValue(_images))
        {
            var (client, image, _) = await ImageTarget.ResolveAsync(context, raw, cancellationToken).ConfigureAwait(false);
            var (response, _) = await client.RawAsync(HttpMethod.Post, $"/1.0/images/{image.Fingerprint}/refresh", cancellationToken: cancellationToken).ConfigureAwait(false);
            var operation = await client.WaitOperationAsync(response.Operation, cancellationToken: cancellationToken).ConfigureAwait(false);
            var refreshed = operation.Metadata is { } metadata && metadata.TryGetValue("refreshed", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.True;
            await context.Out.WriteLineAsync(refreshed ? "Image refreshed successfully!" : "Image already up to date.").ConfigureAwait(false);
        }
    }
}

/// <summary>
/// <c>berth image export image [target]</c>: the stored bytes, streamed to disk and checked against the fingerprint,
/// named as lxc names them: into a directory (default: the current one) under the server's file names
/// (<c>fp.tar.gz</c>; split: <c>meta-fp.tar.xz</c> and <c>fp.squashfs</c>); to a file path, that path plus the
/// extension for a unified image, or that path and <c>path.root</c> for a split one.
/// </summary>
internal sealed class ImageExportCommand : Command
{
    private readonly Argument<string> _image = ImageTarget.Argument();
    private readonly Argument<string?> _target = new("target") { Description = "File or directory (default: current directory)", Arity = ArgumentArity.ZeroOrOne };

    public ImageExportCommand(CliApp app) : base("export", "Export and download images")
    {
        Arguments.Add(_image);
        Arguments.Add(_target);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (client, image, _) = await ImageTarget.ResolveAsync(context, context.GetValue(_image), cancellationToken).ConfigureAwait(false);
        var given = context.GetValue(_target);
        var target = given ?? ".";
        var toDirectory = Directory.Exists(target) || target.EndsWith('/');
        if (toDirectory)
        {
            Directory.CreateDirectory(target);
        }

        var metaPath = toDirectory ? Path.Combine(target, image.Fingerprint) : target;
        var rootfsPath = metaPath + ".root";
        var progress = new ProgressLine(context, "Exporting the image: {0}");
        var clock = global::System.Diagnostics.Stopwatch.StartNew();
        ImageFileResult result;
        try
        {
            await using var meta = new FileStream(metaPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
            await using var rootfs = new FileStream(rootfsPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
            result = await client.ExportImageAsync(image.Fingerprint, meta, rootfs, (done, total) => progress.Update(done, total, clock.Elapsed), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(metaPath);
            File.Delete(rootfsPath);
            throw;
        }

        if (result.RootfsSize == 0)
        {
            File.Delete(rootfsPath);
        }

        if (toDirectory)
        {
            Rename(metaPath, target, result.MetaName);
            if (result.RootfsSize > 0)
            {
                Rename(rootfsPath, target, result.RootfsName);
            }
        }
        else if (result.RootfsSize == 0 && given is not null && result.MetaName.IndexOf('.', StringComparison.Ordinal) is > 0 and var dot)
        {
            File.Move(metaPath, metaPath + result.MetaName[dot..], overwrite: true);
        }

        progress.Done("Image exported successfully!");
    }

    /// <summary>Into the directory under the server's name for the file (its last path segment only).</summary>
    private static void Rename(string path, string directory, string name)
    {
        name = Path.GetFileName(name);
        if (name.Length > 0)
        {
            File.Move(path, Path.Combine(directory, name), overwrite: true);
        }
    }
}
