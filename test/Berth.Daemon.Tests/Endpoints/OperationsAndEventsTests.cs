using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Berth.Server.Operations;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Daemon.Tests.Endpoints;

public sealed class OperationsAndEventsTests : IAsyncLifetime
{
    private readonly DaemonFixture _daemon = new();

    public ValueTask InitializeAsync() => _daemon.InitializeAsync();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    private OperationManager Operations => _daemon.Daemon.Services.GetRequiredService<OperationManager>();

    [Fact]
    public async Task Operations_EmptyIsAnEmptyObject()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/operations");
        Assert.Equal("{}", response.Metadata.GetRawText());
    }

    [Fact]
    public async Task RunningOperation_IsListedAndWaitReturnsSuccess()
    {
        var gate = new TaskCompletionSource();
        var op = Operations.Start("Testing", new() { ["instances"] = ["/1.0/instances/t"] }, _ => gate.Task);
        await Task.Delay(50, TestContext.Current.CancellationToken);

        var list = await _daemon.SendAsync("GET", "/1.0/operations");
        Assert.Equal($$"""{"running":["/1.0/operations/{{op.Id}}"]}""", list.Metadata.GetRawText());
        var get = await _daemon.SendAsync("GET", "/1.0/operations/" + op.Id);
        Assert.Equal(["id", "class", "description", "created_at", "updated_at", "status", "status_code", "resources", "metadata", "may_cancel", "err", "location"],
            get.Metadata.EnumerateObject().Select(p => p.Name));
        var timedOut = await _daemon.SendAsync("GET", $"/1.0/operations/{op.Id}/wait?timeout=0.1");
        Assert.Equal(103, timedOut.Metadata.GetProperty("status_code").GetInt32());

        gate.SetResult();
        var done = await _daemon.SendAsync("GET", $"/1.0/operations/{op.Id}/wait?timeout=5");
        Assert.Equal("Success", done.Metadata.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancel_NotCancellable_Is400AndCancellable_IsCancelled()
    {
        var fixedOp = Operations.Start("Fixed", null, ctx => Task.Delay(Timeout.Infinite, ctx.CancellationToken));
        var op = Operations.Start("Cancellable", null, ctx => Task.Delay(Timeout.Infinite, ctx.CancellationToken), mayCancel: true);

        Assert.Equal(400, (await _daemon.SendAsync("DELETE", "/1.0/operations/" + fixedOp.Id)).Status);
        Assert.Equal(200, (await _daemon.SendAsync("DELETE", "/1.0/operations/" + op.Id)).Status);
        var waited = await _daemon.SendAsync("GET", $"/1.0/operations/{op.Id}/wait?timeout=5");
        Assert.Equal(401, waited.Metadata.GetProperty("status_code").GetInt32());
        fixedOp.Cancellation.Cancel();
    }

    [Fact]
    public async Task MissingOperation_Is404()
    {
        Assert.Equal(404, (await _daemon.SendAsync("GET", "/1.0/operations/" + Guid.NewGuid())).Status);
    }

    [Fact]
    public async Task Events_LifecycleFilter_DeliversProfileEventsOnly()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri("ws://unix.socket/1.0/events?type=lifecycle"), _daemon.Client.Invoker, TestContext.Current.CancellationToken);

        Operations.Start("Not a lifecycle event", null, _ => Task.CompletedTask);
        await _daemon.SendAsync("POST", "/1.0/profiles", """{"name":"evt"}""");

        var frame = await ReceiveAsync(socket);
        var metadata = frame.GetProperty("metadata");
        Assert.Equal("lifecycle", frame.GetProperty("type").GetString());
        Assert.Equal("profile-created", metadata.GetProperty("action").GetString());
        Assert.Equal("/1.0/profiles/evt", metadata.GetProperty("source").GetString());
        Assert.Equal("unix", metadata.GetProperty("requestor").GetProperty("protocol").GetString());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Events_OperationType_SeesStatusChanges()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri("ws://unix.socket/1.0/events?type=operation"), _daemon.Client.Invoker, TestContext.Current.CancellationToken);

        var op = Operations.Start("Evented", null, _ => Task.CompletedTask);

        var statuses = new List<string>();
        while (statuses.Count < 3)
        {
            var frame = await ReceiveAsync(socket);
            Assert.Equal(op.Id, frame.GetProperty("metadata").GetProperty("id").GetString());
            statuses.Add(frame.GetProperty("metadata").GetProperty("status").GetString()!);
        }

        Assert.Equal(["Pending", "Running", "Success"], statuses);
    }

    [Fact]
    public async Task Events_LoggingType_SeesApiRequests()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri("ws://unix.socket/1.0/events?type=logging"), _daemon.Client.Invoker, TestContext.Current.CancellationToken);

        await _daemon.SendAsync("GET", "/1.0/profiles?recursion=1");

        JsonElement metadata;
        do
        {
            metadata = (await ReceiveAsync(socket)).GetProperty("metadata");
        }
        while (!(metadata.GetProperty("context").TryGetProperty("url", out var url) && url.GetString() == "/1.0/profiles?recursion=1"));

        Assert.Equal("Handling API request", metadata.GetProperty("message").GetString());
        Assert.Equal("GET", metadata.GetProperty("context").GetProperty("method").GetString());
        Assert.Equal("unix", metadata.GetProperty("context").GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Events_UnknownType_Is400()
    {
        var response = await _daemon.SendAsync("GET", "/1.0/events?type=bogus");
        Assert.Equal(400, response.Status);
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return JsonDocument.Parse(text.ToString()).RootElement;
    }
}
