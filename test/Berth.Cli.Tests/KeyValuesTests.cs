namespace Berth.Cli.Tests;

public class KeyValuesTests
{
    [Fact]
    public void Parse_KeyEqualsValue_GivesPairs()
    {
        var pairs = KeyValues.Parse(["a=1", "b=x=y", "c="]);

        Assert.Equal([new("a", "1"), new("b", "x=y"), new("c", "")], pairs);
    }

    [Fact]
    public void Parse_KeySpaceValue_GivesOnePair()
    {
        Assert.Equal([new("limits.memory", "64MB")], KeyValues.Parse(["limits.memory", "64MB"]));
    }

    [Fact]
    public void Parse_TwoWordsWithEqualsInValue_IsKeyValue()
    {
        Assert.Equal([new("user.cmd", "a=b")], KeyValues.Parse(["user.cmd", "a=b"]));
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=x")]
    public void Parse_BadPair_Throws(string arg)
    {
        Assert.Throws<CliException>(() => KeyValues.Parse([arg]));
    }

    [Fact]
    public void SplitRemote_TakesLeadingRemote()
    {
        var (remote, others) = KeyValues.SplitRemote(["local:", "k=v"]);

        Assert.Equal("local:", remote);
        Assert.Equal(["k=v"], others);
        Assert.Null(KeyValues.SplitRemote(["k", "v"]).Remote);
    }
}
