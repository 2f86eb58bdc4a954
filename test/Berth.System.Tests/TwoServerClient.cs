namespace Berth.System.Tests;

/// <summary>A private lxc client config with two berthd servers as unix remotes <c>a</c> (the default) and <c>b</c>.</summary>
internal static class TwoServerClient
{
    /// <summary>Both servers as unix remotes; without <paramref name="b"/>, only <c>a</c> (b is then added over HTTPS by the test).</summary>
    public static async Task WriteAsync(string conf, BerthdProcess a, BerthdProcess? b = null)
    {
        Directory.CreateDirectory(conf);
        var remoteB = b is null ? "" : $"""

              b:
                addr: unix://{b.Socket}
                protocol: lxd
            """;
        await File.WriteAllTextAsync(Path.Combine(conf, "config.yml"), $"""
            default-remote: a
            remotes:
              a:
                addr: unix://{a.Socket}
                protocol: lxd{remoteB}
            """);
    }

    /// <summary>Debian's lxc with that config (and HOME there, so nothing of the user's is read or written).</summary>
    public static Task<ProcessResult> LxcAsync(string conf, params string[] args) =>
        ProcessRunner.RunAsync(SystemRequirements.Tool("lxc"), args, new Dictionary<string, string> { ["LXD_CONF"] = conf, ["HOME"] = conf }, timeout: TimeSpan.FromMinutes(3));
}
