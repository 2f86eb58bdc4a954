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
    private static ImagePut Parse(string text)
    {
        var node = YamlReader.Read(string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith('#'))));
        if (node is System.Text.Json.Nodes.JsonObject fields)
        {
            foreach (var key in new[] { "auto_update", "public" })
            {
                if (fields[key] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var flag))
                {
                    fields[key] = flag is "true" or "yes";
                }
            }
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(node, ApiJsonContext.Wire.ImagePut) ?? throw new CliException("Empty YAML document");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliException($"Invalid YAML: {e.Message}", e);
        }
    }

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

/// <summary><c>berth image export image [target]</c>: the stored bytes of a unified image, streamed to disk.</summary>
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
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://unix.socket/1.0/images/{image.Fingerprint}/export");
        using var response = await client.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"Export failed: {(int)response.StatusCode}");
        }

        if (response.Content.Headers.ContentType?.MediaType == "multipart/form-data")
        {
            throw new CliException("This is a split image; export it with lxc image export (berth exports unified images only)");
        }

        var name = response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? image.Fingerprint;
        var target = context.GetValue(_target) ?? ".";
        var path = Directory.Exists(target) || target.EndsWith('/') ? Path.Combine(target, Path.GetFileName(name)) : target;
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
        {
            await body.CopyToAsync(file, 1 << 20, cancellationToken).ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync($"Image exported successfully!").ConfigureAwait(false);
    }
}
