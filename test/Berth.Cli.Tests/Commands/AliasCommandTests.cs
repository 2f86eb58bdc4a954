using Berth.Cli.Config;

namespace Berth.Cli.Tests.Commands;

public class AliasCommandTests
{
    [Fact]
    public async Task AddListRenameRemove_AsLxc()
    {
        using var cli = new CliRunner();

        Assert.Equal((0, "", ""), await cli.RunAsync("alias", "add", "foo", "list -c n"));
        Assert.Equal((1, "", "Error: Alias foo already exists\n"), await cli.RunAsync("alias", "add", "foo", "x"));
        Assert.Equal((0, "", ""), await cli.RunAsync("alias", "add", "bar", "exec @ARG1@ -- ls @ARGS@"));
        Assert.Equal(
            (0, "bar,exec @ARG1@ -- ls @ARGS@\nfoo,list -c n\n", ""),
            await cli.RunAsync("alias", "list", "-f", "csv"));
        Assert.Equal(
            (0, """{"bar":"exec @ARG1@ -- ls @ARGS@","foo":"list -c n"}""" + "\n", ""),
            await cli.RunAsync("alias", "list", "--format", "json"));
        Assert.Equal((1, "", "Error: Alias bar already exists\n"), await cli.RunAsync("alias", "rename", "foo", "bar"));
        Assert.Equal((1, "", "Error: Alias nope doesn't exist\n"), await cli.RunAsync("alias", "rename", "nope", "x"));
        Assert.Equal((0, "", ""), await cli.RunAsync("alias", "mv", "foo", "baz"));
        Assert.Equal((1, "", "Error: Alias nope doesn't exist\n"), await cli.RunAsync("alias", "remove", "nope"));
        Assert.Equal((0, "", ""), await cli.RunAsync("alias", "rm", "baz"));
        Assert.Equal((1, "", "Error: Invalid number of arguments\n"), await cli.RunAsync("alias", "add", "a", "b", "c"));
        Assert.EndsWith("aliases:\n  bar: exec @ARG1@ -- ls @ARGS@\n", File.ReadAllText(Path.Combine(cli.ConfigDir, "config.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAlias_ExpandsBeforeParsing()
    {
        using var cli = new CliRunner();
        cli.Handler.On("GET", "/1.0/images/aliases?recursion=1", FakeHandler.Sync("""[{"name":"a1","description":"","target":"0123456789abcdef","type":"container"}]"""));
        await cli.RunAsync("alias", "add", "ial", "image alias list -f csv");

        var (code, stdout, err) = await cli.RunAsync("ial");

        Assert.Equal((0, "a1,0123456789ab,CONTAINER,\n", ""), (code, stdout, err));
    }

    [Theory]
    [InlineData(new[] { "shell", "c1" }, new[] { "exec", "c1", "--", "su", "-l" })]
    [InlineData(new[] { "--debug", "shell", "c1" }, new[] { "--debug", "exec", "c1", "--", "su", "-l" })]
    [InlineData(new[] { "gp", "os", "img" }, new[] { "image", "get-property", "img", "os" })]
    [InlineData(new[] { "two words", "x" }, new[] { "two words", "x" })]
    [InlineData(new[] { "two", "words", "x", "y" }, new[] { "list", "x", "y" })]
    [InlineData(new[] { "ext", "a", "b" }, new[] { "/bin/echo", "hi", "a", "b", "there" })]
    public void Expand_MatchesLxc(string[] args, string[] expected)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gp"] = "image get-property @ARG2@ @ARG1@",
            ["two words"] = "list",
            ["ext"] = "/bin/echo hi @ARGS@ there",
        };

        var expanded = AliasExpander.Expand(aliases, args, out var external) ?? [.. args];

        Assert.Equal(expected, expanded);
        Assert.Equal(expected[0].StartsWith('/'), external);
    }

    [Fact]
    public void Expand_UserAliasOverridesBuiltIn_AndMissingArgumentFails()
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["shell"] = "exec @ARG1@ -- bash", ["gp"] = "image get-property @ARG2@ @ARG1@" };

        Assert.Equal(["exec", "c1", "--", "bash"], AliasExpander.Expand(aliases, ["shell", "c1"], out _));
        Assert.Null(AliasExpander.Expand(aliases, ["list"], out _));
        var error = Assert.Throws<CliException>(() => AliasExpander.Expand(aliases, ["gp", "os"], out _));
        Assert.Equal("Found alias \"gp\" references an argument outside the given number", error.Message);
    }
}
