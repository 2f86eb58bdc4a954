using Berth.Api;
using Berth.Server.Events;
using Berth.Server.Operations;

namespace Berth.Server.Tests.Operations;

public sealed class OperationManagerTests : IDisposable
{
    private readonly OperationManager _operations = new(new EventHub(TimeProvider.System), TimeProvider.System) { RetainFinished = TimeSpan.FromMilliseconds(200) };

    public void Dispose() => _operations.Dispose();

    [Fact]
    public async Task Start_RunsToSuccess()
    {
        var gate = new TaskCompletionSource();
        var op = _operations.Start("Testing", new() { ["instances"] = ["/1.0/instances/c1"] }, _ => gate.Task);
        await WaitForAsync(() => op.Snapshot().StatusCode == StatusCode.Running);
        Assert.Equal("Running", op.Snapshot().Status);

        gate.SetResult();
        await op.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        var state = op.Snapshot();
        Assert.Equal((StatusCode.Success, "Success", ""), (state.StatusCode, state.Status, state.Err));
    }

    [Fact]
    public async Task Start_WorkThrows_IsFailureWithError()
    {
        var op = _operations.Start("Testing", null, _ => throw new InvalidOperationException("disk on fire"));
        await op.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((StatusCode.Failure, "disk on fire"), (op.Snapshot().StatusCode, op.Snapshot().Err));
    }

    [Fact]
    public async Task Cancel_OnlyWhenMayCancel()
    {
        var fixedOp = _operations.Start("Fixed", null, ctx => Task.Delay(Timeout.Infinite, ctx.CancellationToken), mayCancel: false);
        var op = _operations.Start("Cancellable", null, ctx => Task.Delay(Timeout.Infinite, ctx.CancellationToken), mayCancel: true);

        Assert.False(fixedOp.Cancel());
        Assert.True(op.Cancel());
        await op.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(StatusCode.Cancelled, op.Snapshot().StatusCode);
        await WaitForAsync(() => fixedOp.Snapshot().StatusCode == StatusCode.Running);
        Assert.False(fixedOp.Completion.IsCompleted);
        fixedOp.Cancellation.Cancel();
    }

    [Fact]
    public async Task Finished_IsDroppedAfterRetention()
    {
        var op = _operations.Start("Quick", null, _ => Task.CompletedTask);
        await op.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(_operations.Get(op.Id));

        await WaitForAsync(() => _operations.Get(op.Id) is null);
    }

    [Fact]
    public async Task Events_AreSentForEachStatus()
    {
        var hub = new EventHub(TimeProvider.System);
        using var operations = new OperationManager(hub, TimeProvider.System);
        using var listener = hub.Subscribe(new HashSet<string> { EventType.Operation });

        var op = operations.Start("Evented", null, _ => Task.CompletedTask);
        await op.Completion.WaitAsync(TimeSpan.FromSeconds(5));

        var statuses = new List<string>();
        while (listener.Frames.TryRead(out var frame))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(frame);
            statuses.Add(doc.RootElement.GetProperty("metadata").GetProperty("status").GetString()!);
        }

        Assert.Equal(["Pending", "Running", "Success"], statuses);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
