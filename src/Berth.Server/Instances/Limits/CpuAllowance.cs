using System.Globalization;
using Berth.Api;

namespace Berth.Server.Instances.Limits;

/// <summary>
/// <c>limits.cpu.allowance</c> and <c>limits.cpu.priority</c> as LXD reads them: a percentage is a soft limit
/// (CPU shares: 10 x percent + 24), a time slice <c>25ms/100ms</c> a hard CFS quota per period; the priority
/// (0-10, default 10) lowers the shares by 10 - priority.
/// </summary>
public sealed record CpuAllowance(long Shares, long QuotaMicroseconds, long PeriodMicroseconds)
{
    public const long DefaultPeriod = 100_000;

    /// <summary>Shares 1024, no quota, period 100 ms: what an unlimited container gets.</summary>
    public static CpuAllowance Unlimited { get; } = new(1024, -1, DefaultPeriod);

    public bool HasQuota => QuotaMicroseconds > 0;

    public static CpuAllowance Parse(string? allowance, string? priority)
    {
        var prio = 10;
        if (!string.IsNullOrEmpty(priority) && (!int.TryParse(priority, NumberStyles.None, CultureInfo.InvariantCulture, out prio) || prio > 10))
        {
            throw new ApiException(400, $"Invalid CPU priority \"{priority}\"");
        }

        var shares = -(long)(10 - prio);
        if (string.IsNullOrEmpty(allowance))
        {
            return new CpuAllowance(shares + 1024, -1, DefaultPeriod);
        }

        allowance = allowance.Trim();
        if (allowance.EndsWith('%'))
        {
            if (!long.TryParse(allowance[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                throw Invalid(allowance);
            }

            return new CpuAllowance(shares + (10 * percent) + 24, -1, DefaultPeriod);
        }

        var parts = allowance.Split('/');
        if (parts.Length != 2 || ParseDuration(parts[0]) is not { } quota || ParseDuration(parts[1]) is not { } period || quota <= 0 || period <= 0)
        {
            throw Invalid(allowance);
        }

        return new CpuAllowance(shares + 1024, quota, period);
    }

    /// <summary>
    /// cgroup v2's <c>cpu.weight</c> (1-10000) for v1 shares (2-262144), with the conversion runc and systemd use.
    /// </summary>
    public static long WeightFromShares(long shares)
    {
        shares = Math.Clamp(shares, 2, 262_144);
        return 1 + ((shares - 2) * 9999 / 262_142);
    }

    /// <summary>A Go duration (<c>25ms</c>, <c>1.5s</c>, <c>100us</c>) in microseconds; null when it is not one.</summary>
    public static long? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        double total = 0;
        var rest = text.Trim();
        if (rest.Length == 0)
        {
            return null;
        }

        while (rest.Length > 0)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            rest = rest[digits..];
            var unit = Units.FirstOrDefault(u => rest.StartsWith(u.Name, StringComparison.Ordinal));
            if (unit.Name is null)
            {
                return null;
            }

            total += number * unit.Microseconds;
            rest = rest[unit.Name.Length..];
        }

        return (long)total;
    }

    // Longer names first, so "ms" is not read as "m".
    private static readonly (string Name, double Microseconds)[] Units =
        [("ns", 0.001), ("us", 1), ("µs", 1), ("μs", 1), ("ms", 1000), ("s", 1_000_000), ("m", 60_000_000), ("h", 3_600_000_000)];

    private static ApiException Invalid(string value) => new(400, $"Invalid CPU allowance \"{value}\"");
}
