using Berth.Api;

namespace Berth.Server.Config;

/// <summary>Checks one non-empty value: returns null when it is acceptable, else why not ("expected ...").</summary>
internal delegate string? ValueCheck(string value);

/// <summary>One row of a key table: how the value is checked, its default and whether it is a secret.</summary>
internal sealed record ConfigRule(ValueCheck Check, string? Default = null, bool Secret = false);

/// <summary>The 400 errors every validator throws, so all messages read alike.</summary>
internal static class ConfigErrors
{
    private const int MaxShownValueLength = 120;

    public static ApiException UnknownKey(string key) => new(400, $"Unknown configuration key: {key}");

    public static ApiException InvalidValue(string key, string value, string reason) =>
        new(400, $"Invalid value for \"{key}\": \"{Shorten(value)}\" ({reason})");

    /// <summary>Runs <paramref name="rule"/> on a value; an empty value means unset and always passes.</summary>
    public static void Check(string key, string value, ConfigRule rule)
    {
        if (value.Length == 0)
        {
            return;
        }

        var reason = rule.Check(value);
        if (reason is not null)
        {
            throw InvalidValue(key, value, reason);
        }
    }

    private static string Shorten(string value) =>
        value.Length <= MaxShownValueLength ? value : string.Concat(value.AsSpan(0, MaxShownValueLength), "...");
}
