using System.Collections.Immutable;
using Berth.Server.Database;

namespace Berth.Server.Tests.Database;

public sealed class StateSnapshotTests
{
    private static readonly StateSnapshot Snapshot = Of("a", "a/1", "a/2", "a/2/x", "ab/1", "b/1", "projects/p/instances/c1", "projects/p/instances/c2", "projects/p/profiles/default", "z");

    [Theory]
    [InlineData("a/", "a/1,a/2,a/2/x")]
    [InlineData("a/2", "a/2,a/2/x")]
    [InlineData("a", "a,a/1,a/2,a/2/x,ab/1")]
    [InlineData("projects/p/instances/", "projects/p/instances/c1,projects/p/instances/c2")]
    [InlineData("z", "z")]
    [InlineData("", "a,a/1,a/2,a/2/x,ab/1,b/1,projects/p/instances/c1,projects/p/instances/c2,projects/p/profiles/default,z")]
    public void List_Prefix_EveryKeyUnderItInOrder(string prefix, string expected)
    {
        Assert.Equal(expected.Split(','), Snapshot.List(prefix).Select(kv => kv.Key));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("aa")]
    [InlineData("c/")]
    [InlineData("projects/p/instances/c3")]
    [InlineData("zz")]
    public void List_NoKeyUnderPrefix_Empty(string prefix)
    {
        Assert.Empty(Snapshot.List(prefix));
    }

    [Fact]
    public void List_EmptySnapshot_Empty()
    {
        Assert.Empty(StateSnapshot.Empty.List("a/"));
    }

    private static StateSnapshot Of(params string[] keys)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, KeyValue>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            builder[key] = new KeyValue(key, [], 1, 1);
        }

        return new StateSnapshot(builder.ToImmutable(), 1);
    }
}
