using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public sealed class CronScheduleTests
{
    private static DateTimeOffset At(int day, int hour, int minute) => new(2026, 12, day, hour, minute, 0, TimeSpan.Zero); // 2026-12-06 is a Sunday

    [Theory]
    [InlineData("* * * * *", 1, 13, 7, true)]
    [InlineData("0 6 * * *", 1, 6, 0, true)]
    [InlineData("0 6 * * *", 1, 6, 1, false)]
    [InlineData("*/15 * * * *", 1, 3, 45, true)]
    [InlineData("*/15 * * * *", 1, 3, 44, false)]
    [InlineData("5/20 * * * *", 1, 3, 25, true)]
    [InlineData("0 9-17 * * mon-fri", 4, 12, 0, true)]
    [InlineData("0 9-17 * * mon-fri", 6, 12, 0, false)]
    [InlineData("0 0 * * 7", 6, 0, 0, true)]
    [InlineData("0 0 1 jan *", 1, 0, 0, false)]
    [InlineData("@hourly", 1, 8, 0, true)]
    [InlineData("@daily", 1, 8, 0, false)]
    [InlineData("@daily", 2, 0, 0, true)]
    [InlineData("@weekly", 6, 0, 0, true)]
    [InlineData("@startup", 1, 0, 0, false)]
    [InlineData("0 6 * * *, 30 18 * * *", 1, 18, 30, true)]
    public void Matches_Expressions(string schedule, int day, int hour, int minute, bool expected) =>
        Assert.Equal(expected, CronSchedule.Matches(schedule, At(day, hour, minute)));

    [Fact]
    public void Matches_BothDayFieldsRestricted_EitherMatches()
    {
        Assert.True(CronSchedule.Matches("0 0 15 * sun", At(6, 0, 0)));
        Assert.False(CronSchedule.Matches("0 0 15 * sat", At(6, 0, 0)));
    }

    [Fact]
    public void SnapshotExpiry_AddsEachUnit()
    {
        var now = At(1, 0, 0);

        Assert.Equal(now.AddDays(1).AddHours(3), SnapshotExpiry.From("1d 3H", now));
        Assert.Equal(now.AddDays(14), SnapshotExpiry.From("2w", now));
        Assert.Equal(now.AddMonths(1), SnapshotExpiry.From("1m", now));
        Assert.Equal(now.AddSeconds(30), SnapshotExpiry.From("30S", now));
        Assert.Null(SnapshotExpiry.From("", now));
        Assert.Null(SnapshotExpiry.From("soon", now));
    }
}
