namespace Berth.Cli.Tests;

/// <summary>The root builds only the command a line names; the table it builds from must match the commands.</summary>
public class CommandTreeTests
{
    [Fact]
    public void TopLevelTable_NamesEachCommandByItsOwnNameAndAliases()
    {
        var app = new CliApp(new CliHost());
        foreach (var (names, create) in app.TopLevel())
        {
            var command = create();
            Assert.Equal(names.Order(StringComparer.Ordinal), new[] { command.Name }.Concat(command.Aliases).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void BuildRoot_KnownCommand_OnlyThatOne_AnythingElse_All()
    {
        var app = new CliApp(new CliHost());
        var all = app.BuildRoot().Subcommands.Select(c => c.Name).ToList();
        Assert.Equal(app.TopLevel().Count, all.Count);
        Assert.Contains("exec", all);
        Assert.Equal(["exec"], app.BuildRoot("exec").Subcommands.Select(c => c.Name));
        Assert.Equal(["delete"], app.BuildRoot("rm").Subcommands.Select(c => c.Name));
        Assert.Equal(all, app.BuildRoot("no-such-command").Subcommands.Select(c => c.Name));
    }

    [Fact]
    public async Task RootHelp_StillListsEveryCommand_TypoStillSuggestsNothingWrong()
    {
        using var cli = new CliRunner();
        var (code, stdout, _) = await cli.RunAsync("--help");
        Assert.Equal(0, code);
        foreach (var name in new[] { "launch", "exec", "image", "storage", "network", "warning" })
        {
            Assert.Contains("  " + name, stdout, StringComparison.Ordinal);
        }

        var (typo, _, err) = await cli.RunAsync("exce", "c1");
        Assert.Equal(1, typo);
        Assert.StartsWith("Error: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandHelp_BuiltAlone_ShowsItsOptions()
    {
        using var cli = new CliRunner();
        var (code, stdout, _) = await cli.RunAsync("exec", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--env", stdout, StringComparison.Ordinal);
        Assert.Contains("--cwd", stdout, StringComparison.Ordinal);
    }
}
