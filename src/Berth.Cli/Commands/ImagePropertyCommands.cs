using System.CommandLine;
using Berth.Api.Json;

namespace Berth.Cli.Commands;

/// <summary><c>berth image get-property [remote:]image key</c>: the value, or "Property not found".</summary>
internal sealed class ImageGetPropertyCommand : Command
{
    private readonly Argument<string> _image = ImageTarget.Argument();
    private readonly Argument<string> _key = new("key") { Description = "<key>" };

    public ImageGetPropertyCommand(CliApp app) : base("get-property", "Get image properties")
    {
        Arguments.Add(_image);
        Arguments.Add(_key);
        app.SetAction(this, async (context, cancellationToken) =>
        {
            var (_, image, _) = await ImageTarget.ResolveAsync(context, context.GetValue(_image), cancellationToken).ConfigureAwait(false);
            var value = image.Properties.TryGetValue(context.GetValue(_key), out var found) ? found : throw new CliException("Property not found");
            await context.Out.WriteLineAsync(value).ConfigureAwait(false);
        });
    }
}

/// <summary>
/// <c>berth image set-property [remote:]image key value</c> and <c>unset-property [remote:]image key</c>; as in
/// lxc, unsetting stores the empty value rather than removing the key.
/// </summary>
internal sealed class ImageSetPropertyCommand : Command
{
    private readonly Argument<string> _image = ImageTarget.Argument();
    private readonly Argument<string> _key = new("key") { Description = "<key>" };
    private readonly Argument<string> _value = new("value") { Description = "<value>" };

    public ImageSetPropertyCommand(CliApp app, bool unset = false)
        : base(unset ? "unset-property" : "set-property", unset ? "Unset image properties" : "Set image properties")
    {
        Arguments.Add(_image);
        Arguments.Add(_key);
        if (!unset)
        {
            Arguments.Add(_value);
        }

        app.SetAction(this, async (context, cancellationToken) =>
        {
            var raw = context.GetValue(_image);
            if (context.ParseRemote(raw).Name.Length == 0)
            {
                throw new CliException($"Image identifier missing: {raw}");
            }

            var (client, image, etag) = await ImageTarget.ResolveAsync(context, raw, cancellationToken).ConfigureAwait(false);
            var put = ImageEditCommand.Writable(image);
            put.Properties = new Dictionary<string, string>(put.Properties, StringComparer.Ordinal)
            {
                [context.GetValue(_key)] = unset ? "" : context.GetValue(_value),
            };
            await client.SendJsonAsync(HttpMethod.Put, "/1.0/images/" + image.Fingerprint, put, ApiJsonContext.Wire.ImagePut, etag, cancellationToken).ConfigureAwait(false);
        });
    }
}
