using System.Globalization;
using Berth.Api;

namespace Berth.Cli.Output;

/// <summary>
/// lxc's progress renderer: one line redrawn in place on a terminal (<c>Copying the image: rootfs: 45% (12.00MB/s)</c>),
/// nothing when stdout is not a terminal or with <c>--quiet</c>; the final message replaces it.
/// </summary>
internal sealed class ProgressLine(CliContext context, string format)
{
    private int _width;

    private bool Shown => !context.Quiet && context.Host.OutputIsTerminal;

    public void Update(string status)
    {
        if (!Shown)
        {
            return;
        }

        var line = string.Format(CultureInfo.InvariantCulture, format, status);
        context.Out.Write("\r" + line.PadRight(_width));
        context.Out.Flush();
        _width = Math.Max(_width, line.Length);
    }

    /// <summary>The operation's progress, from any <c>*_progress</c> text in its metadata (as lxc reads it).</summary>
    public void Update(Operation operation)
    {
        foreach (var (key, value) in operation.Metadata ?? [])
        {
            if (key.EndsWith("_progress", StringComparison.Ordinal) && value.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                Update(value.GetString()!);
                return;
            }
        }
    }

    /// <summary>Bytes done of a total, with the rate over <paramref name="elapsed"/>.</summary>
    public void Update(long done, long total, TimeSpan elapsed)
    {
        var rate = done / Math.Max(elapsed.TotalSeconds, 0.001) / 1_000_000;
        Update(total > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{done * 100 / total}% ({rate:0.00}MB/s)")
            : string.Create(CultureInfo.InvariantCulture, $"{done / 1_000_000.0:0.00}MB ({rate:0.00}MB/s)"));
    }

    public void Done(string message)
    {
        if (_width > 0)
        {
            context.Out.Write("\r" + new string(' ', _width) + "\r");
        }

        if (!context.Quiet && message.Length > 0)
        {
            context.Out.WriteLine(message);
        }
    }
}
