using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Operations;

namespace Berth.Daemon.Http;

/// <summary>Writes LXD's envelopes: compact JSON, all seven fields, exact status strings, explicit length.</summary>
internal static class ApiResults
{
    private static readonly byte[] SyncPrefix = """{"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,"error":"","metadata":"""u8.ToArray();
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();
    private static readonly byte[] Null = "null"u8.ToArray();

    public static async Task SyncAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type, string? etag = null)
    {
        using var buffer = new PooledBufferWriter(4096);
        buffer.Write(SyncPrefix);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, value, type);
        }

        buffer.Write("}"u8);
        await WriteAsync(context, 200, buffer.WrittenMemory, etag).ConfigureAwait(false);
    }

    /// <summary>A sync response around metadata that is already serialised (cached answers).</summary>
    public static Task SyncRawAsync(HttpContext context, ReadOnlyMemory<byte> envelope, string? etag = null) =>
        WriteAsync(context, 200, envelope, etag);

    public static byte[] SyncEnvelope(ReadOnlySpan<byte> metadata)
    {
        var bytes = new byte[SyncPrefix.Length + metadata.Length + 1];
        SyncPrefix.CopyTo(bytes, 0);
        metadata.CopyTo(bytes.AsSpan(SyncPrefix.Length));
        bytes[^1] = (byte)'}';
        return bytes;
    }

    /// <summary>LXD's EmptySyncResponse: metadata is an empty object.</summary>
    public static Task EmptySyncAsync(HttpContext context) => WriteAsync(context, 200, SyncEnvelope(EmptyObject), null);

    /// <summary>201 Created with a Location header and null metadata (SyncResponseLocation).</summary>
    public static Task CreatedAsync(HttpContext context, string location)
    {
        context.Response.Headers.Location = location;
        return WriteAsync(context, 201, SyncEnvelope(Null), null);
    }

    /// <summary>202 Accepted with the operation as metadata and its URL in Location.</summary>
    public static Task AsyncAsync(HttpContext context, OperationEntry operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var url = "/1.0/operations/" + operation.Id;
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", ResponseType.Async);
            writer.WriteString("status", StatusCode.Name(StatusCode.OperationCreated));
            writer.WriteNumber("status_code", StatusCode.OperationCreated);
            writer.WriteString("operation", url);
            writer.WriteNumber("error_code", 0);
            writer.WriteString("error", "");
            writer.WritePropertyName("metadata");
            JsonSerializer.Serialize(writer, operation.Snapshot(), ApiJsonContext.Wire.Operation);
            writer.WriteEndObject();
        }

        context.Response.Headers.Location = url;
        return WriteAsync(context, 202, buffer.WrittenMemory, null);
    }

    public static Task ErrorAsync(HttpContext context, int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", ResponseType.Error);
            writer.WriteString("status", "");
            writer.WriteNumber("status_code", 0);
            writer.WriteString("operation", "");
            writer.WriteNumber("error_code", status);
            writer.WriteString("error", message);
            writer.WriteNull("metadata");
            writer.WriteEndObject();
        }

        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return WriteAsync(context, status, buffer.WrittenMemory, null);
    }

    private static Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> body, string? etag)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        if (etag is not null)
        {
            response.Headers.ETag = "\"" + etag + "\"";
        }

        return response.Body.WriteAsync(body).AsTask();
    }
}
