using System.Globalization;
using Berth.Api;

namespace Berth.Server.Instances.Limits;

/// <summary><c>limits.memory</c>: <c>512MiB</c>, <c>1GB</c>, plain bytes (the validator's rules), or a percentage of host memory.</summary>
public static class MemoryLimit
{
    public static long Parse(string value, long hostMemory)
    {
        ArgumentNullException.ThrowIfNull(value);
        value = value.Trim();
        if (value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent >= 0)
        {
            return (long)(hostMemory * percent / 100);
        }

        return Config.ValueChecks.TryParseByteSize(value, out var bytes) ? bytes : throw new ApiException(400, $"Invalid memory value \"{value}\"");
    }
}
