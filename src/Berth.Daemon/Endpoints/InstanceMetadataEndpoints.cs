using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Http;
using Berth.Server.Instances;

namespace Berth.Daemon.Endpoints;

/// <summary>
/// <c>/1.0/instances/{name}/metadata</c> (the instance's metadata.yaml: get, replace, patch) and
/// <c>/metadata/templates</c> (list, or <c>?path=</c> get, create/replace, delete one template file); what
/// <c>lxc config metadata</c> and <c>lxc config template</c> use.
/// </summary>
internal sealed class InstanceMetadataEndpoints(InstanceMetadataFiles files)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        foreach (var root in new[] { "/1.0/instances", "/1.0/containers" })
        {
            routes.MapApi(root + "/{name}/metadata", new ApiRoute { Get = GetAsync, Put = PutAsync, Patch = PatchAsync });
            routes.MapApi(root + "/{name}/metadata/templates", new ApiRoute { Get = TemplatesGetAsync, Post = TemplatesPostAsync, Delete = TemplatesDeleteAsync });
        }
    }

    private Task GetAsync(HttpContext context)
    {
        var metadata = files.Read(context.Request.Project(), Name(context));
        InstanceEvents.Publish(context, "instance-metadata-retrieved", Name(context));
        return ApiResults.SyncAsync(context, metadata, ApiJsonContext.Wire.InstanceMetadata);
    }

    private async Task PutAsync(HttpContext context)
    {
        var metadata = await context.Request.ReadJsonAsync(ApiJsonContext.Wire.InstanceMetadata).ConfigureAwait(false);
        files.Write(context.Request.Project(), Name(context), metadata);
        InstanceEvents.Publish(context, "instance-metadata-updated", Name(context));
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    /// <summary>PATCH: the fields sent replace the current ones; maps sent are merged into the current ones (as Go's JSON decoding into the loaded value does in LXD).</summary>
    private async Task PatchAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var patch = await context.Request.ReadJsonElementAsync().ConfigureAwait(false);
        if (patch.ValueKind != JsonValueKind.Object)
        {
            throw new ApiException(400, "The request body must be a JSON object");
        }

        var current = files.Read(project, Name(context));
        var sent = patch.Deserialize(ApiJsonContext.Wire.InstanceMetadata) ?? new InstanceMetadata();
        foreach (var property in patch.EnumerateObject())
        {
            switch (property.Name)
            {
                case "architecture": current.Architecture = sent.Architecture; break;
                case "creation_date": current.CreationDate = sent.CreationDate; break;
                case "expiry_date": current.ExpiryDate = sent.ExpiryDate; break;
                case "properties": current.Properties = Merge(current.Properties, sent.Properties); break;
                case "templates": current.Templates = Merge(current.Templates, sent.Templates); break;
                default: break;
            }
        }

        files.Write(project, Name(context), current);
        InstanceEvents.Publish(context, "instance-metadata-updated", Name(context));
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private async Task TemplatesGetAsync(HttpContext context)
    {
        var project = context.Request.Project();
        var template = context.Request.Query["path"].ToString();
        if (template.Length == 0)
        {
            await ApiResults.SyncAsync(context, files.ListTemplates(project, Name(context)), ApiJsonContext.Wire.ListString).ConfigureAwait(false);
            return;
        }

        var path = files.TemplatePath(project, Name(context), template);
        InstanceEvents.Publish(context, "instance-metadata-template-retrieved", Name(context), "path", template);
        await using var stream = File.OpenRead(path);
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = "inline;filename=" + template;
        context.Response.ContentLength = stream.Length;
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task TemplatesPostAsync(HttpContext context)
    {
        var template = context.Request.Query["path"].ToString();
        await files.WriteTemplateAsync(context.Request.Project(), Name(context), template, context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        InstanceEvents.Publish(context, "instance-metadata-template-created", Name(context), "path", template);
        await ApiResults.EmptySyncAsync(context).ConfigureAwait(false);
    }

    private Task TemplatesDeleteAsync(HttpContext context)
    {
        var template = context.Request.Query["path"].ToString();
        files.DeleteTemplate(context.Request.Project(), Name(context), template);
        InstanceEvents.Publish(context, "instance-metadata-template-deleted", Name(context), "path", template);
        return ApiResults.EmptySyncAsync(context);
    }

    private static Dictionary<string, T>? Merge<T>(Dictionary<string, T>? current, Dictionary<string, T>? sent)
    {
        if (sent is null)
        {
            return current;
        }

        var merged = new Dictionary<string, T>(current ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in sent)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;
}
