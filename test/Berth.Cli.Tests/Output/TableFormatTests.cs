using System.Text.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Tests.Output;

public class TableFormatTests
{
    private static readonly string[] Header = ["NAME", "DESCRIPTION", "USED BY"];

    private static List<string[]> Rows() => [["p1", "", "0"], ["default", "Default LXD profile", "0"]];

    private static string Render(string format) =>
        TableFormat.Render(format, Header, Rows(), _ => JsonDocument.Parse("""[{"name":"p1"}]""").RootElement);

    [Fact]
    public void Table_MatchesLxcProfileList()
    {
        // Captured from lxc 5.0.2 `lxc profile list`.
        Assert.Equal(
            """
            +---------+---------------------+---------+
            |  NAME   |     DESCRIPTION     | USED BY |
            +---------+---------------------+---------+
            | default | Default LXD profile | 0       |
            +---------+---------------------+---------+
            | p1      |                     | 0       |
            +---------+---------------------+---------+

            """.ReplaceLineEndings("\n"),
            Render(TableFormat.Table));
    }

    [Fact]
    public void Compact_MatchesLxcProfileList()
    {
        Assert.Equal(
            "   NAME        DESCRIPTION      USED BY  \n  default  Default LXD profile  0        \n  p1                            0        \n",
            Render(TableFormat.Compact));
    }

    [Fact]
    public void Csv_HasNoHeaderAndQuotesLikeGo()
    {
        Assert.Equal("default,Default LXD profile,0\np1,,0\n", Render(TableFormat.Csv));
        Assert.Equal("\"a,b\",\"say \"\"hi\"\"\",\" lead\"\n", TableFormat.RenderCsv([["a,b", "say \"hi\"", " lead"]]));
    }

    [Fact]
    public void Json_And_Yaml_PrintTheRawObjects()
    {
        Assert.Equal("[{\"name\":\"p1\"}]\n", Render(TableFormat.Json));
        Assert.Equal("- name: p1\n", Render(TableFormat.Yaml));
    }

    [Fact]
    public void EmptyTable_PrintsHeaderOnly()
    {
        Assert.Equal(
            "+----+------+\n| ID | TYPE |\n+----+------+\n",
            TableFormat.Render(TableFormat.Table, ["ID", "TYPE"], [], _ => default));
    }

    [Fact]
    public void Rows_SortNaturally()
    {
        var rows = new List<string[]> { new[] { "c10" }, new[] { "c2" }, new[] { "b" } };

        var text = TableFormat.Render(TableFormat.Csv, ["NAME"], rows, _ => default);

        Assert.Equal("b\nc2\nc10\n", text);
    }
}
