using System.CommandLine;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary>The <c>-f/--format</c> option of list commands.</summary>
internal static class FormatOption
{
    public const string Name = "--format";

    public static Option<string> Create()
    {
        var option = new Option<string>(Name, "-f")
        {
            Description = "Format (csv|json|table|yaml|compact)",
            DefaultValueFactory = _ => TableFormat.Table,
            HelpName = "format",
        };
        option.AcceptOnlyFromAmong(TableFormat.All);
        return option;
    }

    public static string Get(CliContext context) => context.ParseResult.GetValue<string>(Name) ?? TableFormat.Table;
}
