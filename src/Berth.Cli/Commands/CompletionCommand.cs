using System.CommandLine;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth completion bash</c>: a bash completion script that asks <c>berth "[suggest:N]" ...</c> (System.CommandLine's
/// suggest directive) for the words at the cursor.
/// </summary>
internal sealed class CompletionCommand : Command
{
    internal const string BashScript = """
        # bash completion for berth; install with: berth completion bash > /etc/bash_completion.d/berth
        _berth_complete()
        {
            local line="${COMP_LINE:0:$COMP_POINT}"
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$COMP_LINE" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _berth_complete berth

        """;

    private readonly Argument<string> _shell = new("shell") { Description = "Shell to generate the script for (bash)" };

    public CompletionCommand(CliApp app) : base("completion", "Print a shell completion script")
    {
        _shell.AcceptOnlyFromAmong("bash");
        Arguments.Add(_shell);
        app.SetAction(this, (context, _) => context.Out.WriteAsync(BashScript));
    }
}
