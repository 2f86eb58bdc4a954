using Berth.Client;

namespace Berth.Cli.Tests;

/// <summary>Runs <c>berth</c> in-process against a <see cref="FakeHandler"/>, with captured output.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly string _configDir = Path.Combine(Path.GetTempPath(), "berth-cli-tests-" + Guid.NewGuid().ToString("N"));

    public FakeHandler Handler { get; } = new();

    public string? Stdin { get; set; }

    public Func<string, string> Edit { get; set; } = _ => throw new InvalidOperationException("no editor in tests");

    public string ConfigDir => _configDir;

    public List<string> Sockets { get; } = [];

    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var host = new CliHost
        {
            Out = stdout,
            Error = stderr,
            In = new StringReader(Stdin ?? ""),
            InputIsTerminal = Stdin is null,
            GetEnvironment = name => name switch
            {
                "BERTH_CONF" => _configDir,
                "LXD_SOCKET" => "/test/unix.socket",
                _ => null,
            },
            ConnectUnix = path =>
            {
                Sockets.Add(path);
                return new BerthClient(Handler);
            },
            Edit = text => Edit(text),
        };
        var code = await CliApp.RunAsync(args, host, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_configDir))
        {
            Directory.Delete(_configDir, true);
        }
    }
}
