using Berth.Server.Images;

namespace Berth.Server.Instances;

/// <summary>
/// Applies an image's templates (metadata.yaml <c>templates:</c>) for a trigger such as <c>create</c>: the common
/// Pongo2 placeholders for the instance's name are filled in; files are written only inside the rootfs.
/// </summary>
public static class TemplateApplier
{
    public static void Apply(string imageDir, string rootfs, string trigger, string instanceName)
    {
        var metadataPath = Path.Combine(imageDir, "metadata.yaml");
        if (!File.Exists(metadataPath))
        {
            return;
        }

        var metadata = ImageMetadata.Parse(File.ReadAllText(metadataPath));
        var root = Path.GetFullPath(rootfs) + Path.DirectorySeparatorChar;
        foreach (var (target, template) in metadata.Templates ?? [])
        {
            if (!template.When.Contains(trigger, StringComparer.Ordinal))
            {
                continue;
            }

            var source = Path.GetFullPath(Path.Combine(imageDir, "templates", template.Template));
            var destination = Path.GetFullPath(Path.Combine(root, target.TrimStart('/')));
            if (!source.StartsWith(Path.Combine(imageDir, "templates") + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || !destination.StartsWith(root, StringComparison.Ordinal)
                || !File.Exists(source)
                || (template.CreateOnly && File.Exists(destination)))
            {
                continue;
            }

            // Never follow a symlink out of the rootfs: replace the link itself.
            if (new FileInfo(destination).LinkTarget is not null)
            {
                File.Delete(destination);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var text = File.ReadAllText(source)
                .Replace("{{ container.name }}", instanceName, StringComparison.Ordinal)
                .Replace("{{ instance.name }}", instanceName, StringComparison.Ordinal)
                .Replace("{{ trigger }}", trigger, StringComparison.Ordinal);
            File.WriteAllText(destination, text);
        }
    }
}
