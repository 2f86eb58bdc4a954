using System.Security.Cryptography;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Images;
using Berth.Server.Operations;
using Berth.Server.Util;
using Berth.Server.Yaml;

namespace Berth.Server.Instances;

/// <summary>
/// <c>POST /1.0/images</c> from an instance or a snapshot (<c>lxc publish</c>): a unified tarball of the volume's
/// rootfs and templates with a fresh metadata.yaml, compressed as asked (else <c>images.compression_algorithm</c>),
/// then imported like an upload, so its fingerprint is the sha256 of the stored file.
/// </summary>
public sealed class InstancePublisher(InstanceService instances, ImageService images, ImageAliasService aliases, ServerConfigService config, TimeProvider time)
{
    /// <summary>Checks the request before the operation starts: source present and stopped, aliases free.</summary>
    public (string Instance, string? Snapshot) Validate(string project, ImagesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.Source ?? throw new ApiException(400, "Missing image source");
        if (source.Name.Length == 0)
        {
            throw new ApiException(400, "Missing source instance name");
        }

        var (name, snap) = source.Name.Split('/', 2) is [var n, var s] ? (n, (string?)s) : (source.Name, null);
        if (source.Type == "snapshot" && snap is null)
        {
            throw new ApiException(400, "A snapshot source is named instance/snapshot");
        }

        var instance = instances.Get(project, name);
        if (snap is not null)
        {
            instances.GetSnapshot(project, name, snap);
        }
        else if (instance.StatusCode != StatusCode.Stopped)
        {
            throw new ApiException(400, "The instance is currently running: stop it first (lxc publish --force does) or publish a snapshot");
        }

        CompressorFor(Algorithm(request));
        foreach (var alias in request.Aliases ?? [])
        {
            if (aliases.List(project).Any(a => a.Name == alias.Name))
            {
                throw new ApiException(409, $"Alias \"{alias.Name}\" already exists");
            }
        }

        return (name, snap);
    }

    public async Task<Image> PublishAsync(string project, ImagesPost request, IOperationContext operation, EventLifecycleRequestor? requestor)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(operation);
        var (name, snap) = Validate(project, request);
        var cancellationToken = operation.CancellationToken;
        var volume = instances.VolumePath(project, name, snap);
        var staging = images.NewUploadPath();
        var tarball = staging + ".tar";
        using var revert = new Reverter();
        Directory.CreateDirectory(staging);
        revert.Add(() => Directory.Delete(staging, recursive: true));
        revert.Add(() => File.Delete(tarball));

        var metadata = Metadata(project, name, volume, request);
        await File.WriteAllTextAsync(Path.Combine(staging, "metadata.yaml"), YamlJson.Write(metadata, YamlDocuments.Default.ImageMetadata), cancellationToken).ConfigureAwait(false);
        var args = new List<string> { "--numeric-owner", "--xattrs", "--xattrs-include=*", "-cf", tarball };
        if (CompressorFor(Algorithm(request)) is { } compressor)
        {
            args.InsertRange(0, ["-I", compressor]);
        }

        args.AddRange(["-C", staging, "metadata.yaml", "-C", volume]);
        args.AddRange(Directory.Exists(Path.Combine(volume, "templates")) ? ["templates", "rootfs"] : ["rootfs"]);
        await ToolRunner.RunAsync("tar", args, cancellationToken).ConfigureAwait(false);

        string fingerprint;
        await using (var file = File.OpenRead(tarball))
        {
            fingerprint = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
        }

        var upload = new ImageUpload(tarball, null, fingerprint, new FileInfo(tarball).Length, request.Filename, request.Public, request.Properties ?? [], null)
        {
            AutoUpdate = request.AutoUpdate,
            ExpiresAt = request.ExpiresAt is { } expires && expires > DateTimeOffset.UnixEpoch ? expires : DateTimeOffset.MinValue,
        };
        var image = await images.ImportAsync(upload, requestor, cancellationToken).ConfigureAwait(false);
        revert.Success();
        Directory.Delete(staging, recursive: true);
        foreach (var alias in request.Aliases ?? [])
        {
            await aliases.CreateAsync(project, new ImageAliasesPost { Name = alias.Name, Description = alias.Description, Target = image.Fingerprint }, requestor, cancellationToken).ConfigureAwait(false);
        }

        operation.SetMetadata("fingerprint", JsonSerializer.SerializeToElement(image.Fingerprint, ApiJsonContext.Wire.String));
        operation.SetMetadata("size", JsonSerializer.SerializeToElement(image.Size, ApiJsonContext.Wire.Int64));
        return image;
    }

    /// <summary>The source's own metadata.yaml (templates, properties) when it has one, made current.</summary>
    private ImageMetadata Metadata(string project, string name, string volume, ImagesPost request)
    {
        var path = Path.Combine(volume, "metadata.yaml");
        var metadata = File.Exists(path) ? ImageMetadata.Parse(File.ReadAllText(path)) : new ImageMetadata();
        metadata.Architecture = instances.Get(project, name).Architecture;
        metadata.CreationDate = time.GetUtcNow().ToUnixTimeSeconds();
        metadata.ExpiryDate = request.ExpiresAt is { } expires && expires > DateTimeOffset.UnixEpoch ? expires.ToUnixTimeSeconds() : 0;
        var properties = new Dictionary<string, string>(metadata.Properties ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in request.Properties ?? [])
        {
            properties[key] = value;
        }

        metadata.Properties = properties;
        return metadata;
    }

    private string Algorithm(ImagesPost request) =>
        request.CompressionAlgorithm.Length > 0 ? request.CompressionAlgorithm
            : config.Stored().GetValueOrDefault("images.compression_algorithm") ?? ServerConfigSchema.DefaultValue("images.compression_algorithm") ?? "gzip";

    /// <summary>tar's <c>-I</c> program for an algorithm; null for none.</summary>
    private static string? CompressorFor(string algorithm) => algorithm switch
    {
        "none" => null,
        "gzip" => "gzip",
        "xz" => "xz -T0",
        "bzip2" => "bzip2",
        "zstd" => "zstd",
        _ => throw new ApiException(400, $"Unsupported compression algorithm \"{algorithm}\" (none, gzip, xz, bzip2 or zstd)"),
    };
}
