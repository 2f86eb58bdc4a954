using Berth.Client;

namespace Berth.Cli;

/// <summary>What the CLI touches outside itself: consoles, environment, the daemon, the editor. Tests replace it.</summary>
internal sealed class CliHost
{
    private TextReader? _in;

    public TextWriter Out { get; init; } = Console.Out;

    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>stdin as text, set up on first use: most commands never read it.</summary>
    public TextReader In
    {
        get => _in ??= Console.In;
        init => _in = value;
    }

    /// <summary>True when stdin is a terminal (edit opens an editor) rather than a pipe (edit reads YAML from it).</summary>
    public bool InputIsTerminal { get; init; } = !Console.IsInputRedirected;

    /// <summary>True when stdout is a terminal: progress lines are drawn only there, as lxc's are.</summary>
    public bool OutputIsTerminal { get; init; } = !Console.IsOutputRedirected;

    public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Opens a client for a unix socket path.</summary>
    public Func<string, BerthClient> ConnectUnix { get; init; } = path => BerthClient.ConnectUnix(path);

    /// <summary>Lets the user edit text and returns it; the default runs <c>$VISUAL</c>/<c>$EDITOR</c> (else <c>vi</c>).</summary>
    public Func<string, string> Edit { get; init; } = TextEditor.Edit;
}
