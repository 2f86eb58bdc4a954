using System.Text;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Tests.Database;

public sealed class SharedJsonTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GetSharedJson_SameRecord_OneObjectUntilTheRecordChanges()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        await store.TransactionAsync(tx =>
        {
            tx.Put("profiles/a", Bytes("""{"config":{"k":"1"},"devices":{}}"""));
            tx.Put("profiles/b", Bytes("""{"config":{"k":"2"},"devices":{}}"""));
            return true;
        });

        var first = store.Snapshot().GetSharedJson("profiles/a", ApiJsonContext.Wire.ProfilePut);
        var again = store.Snapshot().GetSharedJson("profiles/a", ApiJsonContext.Wire.ProfilePut);
        Assert.Same(first, again);
        Assert.Equal("1", first!.Config["k"]);

        await store.TransactionAsync(tx =>
        {
            tx.Put("profiles/a", Bytes("""{"config":{"k":"3"},"devices":{}}"""));
            return true;
        });

        var changed = store.Snapshot().GetSharedJson("profiles/a", ApiJsonContext.Wire.ProfilePut);
        Assert.NotSame(first, changed);
        Assert.Equal("3", changed!.Config["k"]);
        Assert.Same(changed, store.Snapshot().ListSharedJson("profiles/", ApiJsonContext.Wire.ProfilePut).First().Value);
        Assert.Equal(["1", "3"], new[] { first, changed }.Select(p => p.Config["k"]));
        Assert.Null(store.Snapshot().GetSharedJson("profiles/none", ApiJsonContext.Wire.ProfilePut));
    }

    [Fact]
    public async Task GetSharedJson_OneRecordAsTwoTypes_EachItsOwn()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        await store.TransactionAsync(tx =>
        {
            tx.Put("profiles/a", Bytes("""{"name":"a","config":{"k":"1"},"devices":{}}"""));
            return true;
        });

        var put = store.Snapshot().GetSharedJson("profiles/a", ApiJsonContext.Wire.ProfilePut);
        var full = store.Snapshot().GetSharedJson("profiles/a", ApiJsonContext.Wire.Profile);

        Assert.IsType<ProfilePut>(put);
        Assert.Equal("a", full!.Name);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
