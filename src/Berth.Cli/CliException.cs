namespace Berth.Cli;

/// <summary>A user-facing error: printed as <c>Error: message</c>, exit code 1.</summary>
internal sealed class CliException : Exception
{
    public CliException(string message) : base(message) { }

    public CliException(string message, Exception inner) : base(message, inner) { }

    public CliException() { }
}
