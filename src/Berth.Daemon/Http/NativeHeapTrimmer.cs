namespace Berth.Daemon.Http;

/// <summary>
/// Trims the C heap (<see cref="Native.NativeHeap.Trim"/>) a moment after requests, at most once per delay, and once
/// more a few seconds after the last one; never while berthd is idle (no timer runs then).
/// </summary>
/// <remarks>
/// Bursts of requests leave freed native memory resident inside glibc's per-thread arenas (the JIT's scratch memory
/// of the tier-1 recompiles they trigger, liblxc's config parses, SQLite): after 50 busybox launches and a few
/// <c>GET /1.0/instances?recursion=2</c>, 9 MB of berthd's 121 MB RSS was such free memory (malloc_trim called
/// from gdb brought it to 112 MB). The JIT's share is freed by its background tier-1 compiles, which can go on for
/// seconds after the requests that triggered them: hence the second trim.
/// </remarks>
internal sealed class NativeHeapTrimmer(TimeProvider time, TimeSpan delay, TimeSpan settle, Action trim)
{
    private int _scheduled;
    private int _requests;

    public static NativeHeapTrimmer ForDaemon(TimeProvider time) =>
        new(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), () => Native.NativeHeap.Trim());

    /// <summary>Middleware: schedules a trim when a request is over.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Schedule();
        }
    }

    /// <summary>
    /// Trims after the delay unless a trim is already scheduled (requests in between join that one), and again after
    /// the settle time if no request came in the meantime (else the trim that request scheduled does it).
    /// </summary>
    public void Schedule()
    {
        Interlocked.Increment(ref _requests);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _ = TrimLaterAsync();
        }
    }

    private async Task TrimLaterAsync()
    {
        await Task.Delay(delay, time).ConfigureAwait(false);
        Volatile.Write(ref _scheduled, 0);
        var requests = Volatile.Read(ref _requests);
        trim();
        await Task.Delay(settle, time).ConfigureAwait(false);
        if (Volatile.Read(ref _requests) == requests)
        {
            trim();
        }
    }
}
