using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Berth.Server.Util;

/// <summary>ETags are the SHA-256 of a JSON tuple of an entity's writable fields, as LXD computes them.</summary>
public static class ETag
{
    public static string Compute(Action<Utf8JsonWriter> writeTuple)
    {
        ArgumentNullException.ThrowIfNull(writeTuple);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writeTuple(writer);
            writer.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>
    /// Checks a client's If-Match value (quotes stripped) against the current ETag; no header means no check.
    /// </summary>
    public static void Check(string? ifMatch, string current)
    {
        if (string.IsNullOrEmpty(ifMatch))
        {
            return;
        }

        var given = ifMatch.Trim().Trim('"');
        if (given.Length > 0 && given != "*" && given != current)
        {
            throw new Berth.Api.ApiException(412, $"ETag doesn't match: {given} vs {current}");
        }
    }
}
