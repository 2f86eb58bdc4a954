using Berth.Api;
using Berth.Server.Images;
using Berth.Server.Yaml;

namespace Berth.Server.Instances;

/// <summary>
/// An instance's own <c>metadata.yaml</c> and <c>templates/</c> beside its rootfs on the pool volume, as LXD keeps
/// them (copied from the image at creation; applied by the templates on create/copy/start; kept by publish).
/// </summary>
public sealed class InstanceMetadataFiles(InstanceService instances)
{
    /// <summary>The metadata; an empty one when the instance has no metadata.yaml (as LXD).</summary>
    public InstanceMetadata Read(string project, string name)
    {
        var path = Path.Combine(Volume(project, name), "metadata.yaml");
        return File.Exists(path) ? ToWire(Parse(File.ReadAllText(path))) : new InstanceMetadata();
    }

    public void Write(string project, string name, InstanceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var path = Path.Combine(Volume(project, name), "metadata.yaml");
        var temp = path + ".new";
        File.WriteAllText(temp, ToYaml(metadata));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The file names in templates/ (none when it does not exist), in directory order as LXD lists them.</summary>
    public List<string> ListTemplates(string project, string name)
    {
        var dir = Path.Combine(Volume(project, name), "templates");
        return Directory.Exists(dir)
            ? [.. new DirectoryInfo(dir).EnumerateFiles().Select(f => f.Name).Order(StringComparer.Ordinal)]
            : [];
    }

    public string TemplatePath(string project, string name, string template)
    {
        var path = PathOf(project, name, template);
        return File.Exists(path) ? path : throw new ApiException(404, $"Template \"{template}\" not found");
    }

    /// <summary>Creates or replaces a template file with <paramref name="content"/>.</summary>
    public async Task WriteTemplateAsync(string project, string name, string template, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(project, name, template);
        var dir = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        await using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        });
        await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
    }

    public void DeleteTemplate(string project, string name, string template) => File.Delete(TemplatePath(project, name, template));

    /// <summary>metadata.yaml as LXD reads it: no field is required (an instance's file need not be a valid image's).</summary>
    public static ImageMetadata Parse(string yaml)
    {
        try
        {
            return YamlJson.Read(yaml, YamlDocuments.Default.ImageMetadata) ?? new ImageMetadata();
        }
        catch (InvalidDataException e)
        {
            throw new ApiException(500, "Invalid metadata.yaml: " + e.Message);
        }
    }

    /// <summary>metadata.yaml's text for <paramref name="metadata"/>, with LXD's field names.</summary>
    public static string ToYaml(InstanceMetadata metadata) => YamlJson.Write(FromWire(metadata), YamlDocuments.Default.ImageMetadata);

    public static InstanceMetadata ToWire(ImageMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new InstanceMetadata
        {
            Architecture = metadata.Architecture,
            CreationDate = metadata.CreationDate,
            ExpiryDate = metadata.ExpiryDate,
            Properties = metadata.Properties,
            Templates = metadata.Templates?.ToDictionary(
                t => t.Key,
                t => new InstanceMetadataTemplate { When = t.Value.When, CreateOnly = t.Value.CreateOnly, Template = t.Value.Template, Properties = t.Value.Properties },
                StringComparer.Ordinal),
        };
    }

    public static ImageMetadata FromWire(InstanceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new ImageMetadata
        {
            Architecture = metadata.Architecture,
            CreationDate = metadata.CreationDate,
            ExpiryDate = metadata.ExpiryDate,
            Properties = metadata.Properties ?? [],
            Templates = (metadata.Templates ?? []).ToDictionary(
                t => t.Key,
                t => new ImageTemplate { When = t.Value.When ?? [], CreateOnly = t.Value.CreateOnly, Template = t.Value.Template, Properties = t.Value.Properties ?? [] },
                StringComparer.Ordinal),
        };
    }

    /// <summary>A template's path: one plain file name under templates/, as LXD allows.</summary>
    private string PathOf(string project, string name, string template)
    {
        if (template.Length == 0)
        {
            throw new ApiException(400, "missing path argument");
        }

        if (template.Contains('/', StringComparison.Ordinal) || template is "." or ".." || template.Contains('\0', StringComparison.Ordinal))
        {
            throw new ApiException(400, "Invalid template filename");
        }

        return Path.Combine(Volume(project, name), "templates", template);
    }

    /// <summary>The instance's volume; 404 for an unknown instance, 400 for a snapshot name (as LXD).</summary>
    private string Volume(string project, string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ApiException(400, "Invalid instance name");
        }

        instances.Get(project, name);
        return instances.VolumePath(project, name, null);
    }
}
