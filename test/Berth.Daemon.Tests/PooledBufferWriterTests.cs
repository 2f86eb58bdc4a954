using System.Buffers;
using System.Text.Json;
using Berth.Daemon.Http;

namespace Berth.Daemon.Tests;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Write_BeyondInitialCapacity_KeepsEveryByteInOrder()
    {
        using var buffer = new PooledBufferWriter(16);
        var expected = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();

        for (var at = 0; at < expected.Length; at += 1000)
        {
            buffer.Write(expected.AsSpan(at, Math.Min(1000, expected.Length - at)));
        }

        Assert.Equal(expected, buffer.WrittenMemory.ToArray());
    }

    [Fact]
    public void Utf8JsonWriter_LargeDocument_SameAsSerializedDirectly()
    {
        var value = Enumerable.Range(0, 20_000).ToDictionary(i => "key" + i, i => new string('x', i % 50));
        using var buffer = new PooledBufferWriter(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, value);
        }

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(value), buffer.WrittenMemory.ToArray());
    }

    [Fact]
    public void Advance_PastWhatWasAskedFor_Throws()
    {
        using var buffer = new PooledBufferWriter(16);
        var length = buffer.GetSpan(8).Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(length + 1));
    }
}
