using System.Globalization;

namespace Berth.Server.Config;

/// <summary>
/// Building blocks for the key tables: each returns a <see cref="ValueCheck"/> that accepts the same
/// spellings LXD does (shared/validate, shared/util.go).
/// </summary>
internal static partial class ValueChecks
{
    private static readonly string[] TrueWords = ["true", "1", "yes", "on"];
    private static readonly string[] FalseWords = ["false", "0", "no", "off"];

    /// <summary>LXD's <c>shared.IsTrue</c>: true/1/yes/on, any case.</summary>
    public static bool IsTrue(string value) => TrueWords.Contains(value.ToLowerInvariant());

    /// <summary>LXD's <c>shared.IsFalse</c>: false/0/no/off, any case.</summary>
    public static bool IsFalse(string value) => FalseWords.Contains(value.ToLowerInvariant());

    public static readonly ValueCheck Any = _ => null;

    public static readonly ValueCheck Bool = v =>
        IsTrue(v) || IsFalse(v) ? null : "expected a boolean: true/false, 1/0, yes/no or on/off";

    public static readonly ValueCheck Integer = v =>
        long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "expected an integer";

    public static readonly ValueCheck Unsigned = Int(0, uint.MaxValue);

    /// <summary>The 0..10 priorities (<c>limits.cpu.priority</c>, <c>limits.disk.priority</c>, ...).</summary>
    public static readonly ValueCheck Priority = Int(0, 10);

    /// <summary>An integer within [min, max].</summary>
    public static ValueCheck Int(long min, long max = long.MaxValue)
    {
        var expected = max == long.MaxValue ? $"expected an integer >= {min}" : $"expected an integer between {min} and {max}";
        return v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : expected;
    }

    /// <summary>One of a fixed set of words (case-sensitive, as LXD).</summary>
    public static ValueCheck OneOf(params string[] choices)
    {
        var expected = $"expected one of: {string.Join(", ", choices)}";
        return v => choices.Contains(v, StringComparer.Ordinal) ? null : expected;
    }

    /// <summary>A comma-separated list whose every trimmed item passes <paramref name="item"/>.</summary>
    public static ValueCheck ListOf(ValueCheck item, string expected) => v =>
    {
        foreach (var part in v.Split(','))
        {
            var trimmed = part.Trim();
            if (trimmed.Length == 0 || item(trimmed) is not null)
            {
                return expected;
            }
        }

        return null;
    };

    /// <summary>Passes when any of the checks passes; the message of the last one otherwise.</summary>
    public static ValueCheck Either(string expected, params ValueCheck[] checks) =>
        v => checks.Any(c => c(v) is null) ? null : expected;

    /// <summary>A non-negative integer written in octal, at most 0777 (file modes).</summary>
    public static readonly ValueCheck OctalMode = v =>
    {
        if (v.Length is 0 or > 5 || v.Any(c => c is < '0' or > '7'))
        {
            return "expected an octal file mode like 0660";
        }

        return Convert.ToInt32(v, 8) <= 0x1FF ? null : "expected an octal file mode like 0660";
    };

    /// <summary>Four hex digits, as USB and PCI vendor and product ids.</summary>
    public static readonly ValueCheck HexId = v =>
        v.Length == 4 && v.All(char.IsAsciiHexDigit) ? null : "expected a 4-digit hexadecimal id like 1af4";

    /// <summary>Compression for images and backups: LXD's list of tools, or none.</summary>
    public static readonly ValueCheck Compression = OneOf("none", "gzip", "bzip2", "lz4", "lzma", "xz", "zstd", "squashfs");

    /// <summary>Kernel architecture names LXD knows (shared/osarch).</summary>
    public static readonly ValueCheck Architecture = OneOf(
        "i686", "x86_64", "armv6l", "armv7l", "armv8l", "aarch64", "ppc", "ppc64", "ppc64le", "s390x",
        "mips", "mips64", "riscv32", "riscv64", "loongarch64");

    /// <summary>An absolute URL (http or https).</summary>
    public static readonly ValueCheck Url = v =>
        Uri.TryCreate(v, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : "expected an http(s) URL";

    /// <summary>The name of a pool, network or similar object: non-empty, no '/', no surrounding spaces.</summary>
    public static readonly ValueCheck ObjectName = v =>
        v.Trim().Length == v.Length && !v.Contains('/', StringComparison.Ordinal) ? null : "expected a name without '/' or surrounding spaces";

    public static readonly ValueCheck AbsolutePath = v => v.StartsWith('/') ? null : "expected an absolute path";

    /// <summary>A storage volume reference <c>pool/volume</c>.</summary>
    public static readonly ValueCheck PoolVolume = v =>
    {
        var parts = v.Split('/');
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? null : "expected pool/volume";
    };
}
