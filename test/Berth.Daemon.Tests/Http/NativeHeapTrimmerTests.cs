using Berth.Daemon.Http;

namespace Berth.Daemon.Tests.Http;

public sealed class NativeHeapTrimmerTests
{
    [Fact]
    public async Task Schedule_SeveralWithinDelay_TrimsOnceThenOnceMoreAfterSettle()
    {
        var trims = 0;
        var trimmer = new NativeHeapTrimmer(TimeProvider.System, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300), () => Interlocked.Increment(ref trims));

        trimmer.Schedule();
        trimmer.Schedule();
        trimmer.Schedule();
        await WaitForAsync(() => Volatile.Read(ref trims) == 1);
        await WaitForAsync(() => Volatile.Read(ref trims) == 2);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal(2, Volatile.Read(ref trims));
    }

    [Fact]
    public async Task Schedule_RequestDuringSettle_LeavesTheSecondTrimToItsOwnSchedule()
    {
        var trims = 0;
        var trimmer = new NativeHeapTrimmer(TimeProvider.System, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1000), () => Interlocked.Increment(ref trims));

        trimmer.Schedule();
        await WaitForAsync(() => Volatile.Read(ref trims) == 1);
        trimmer.Schedule();
        await WaitForAsync(() => Volatile.Read(ref trims) == 2); // the new request's own trim, after 50 ms
        await WaitForAsync(() => Volatile.Read(ref trims) == 3); // its follow-up; the first follow-up was skipped
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.Equal(3, Volatile.Read(ref trims));
    }

    [Fact]
    public void Trim_RunsOnThisLibc()
    {
        Native.NativeHeap.Trim();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(condition());
    }
}
