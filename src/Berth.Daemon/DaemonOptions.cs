namespace Berth.Daemon;

/// <summary>How berthd was started: its data dir and logging, like <c>lxd</c>'s flags.</summary>
internal sealed class DaemonOptions
{
    /// <summary><c>BERTH_DIR</c>, else <c>LXD_DIR</c>, else /var/lib/berth.</summary>
    public string Dir { get; set; } = DefaultDir();

    public string? LogFile { get; set; }

    public bool Debug { get; set; }

    public bool Verbose { get; set; }

    /// <summary>Group that owns the unix socket (<c>--group</c>); null keeps root's group.</summary>
    public string? Group { get; set; }

    public string SocketPath => Path.Combine(Dir, "unix.socket");

    public string DatabasePath => Path.Combine(Dir, "database", "berth.db");

    public static string DefaultDir()
    {
        var dir = Environment.GetEnvironmentVariable("BERTH_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            dir = Environment.GetEnvironmentVariable("LXD_DIR");
        }

        return string.IsNullOrEmpty(dir) ? "/var/lib/berth" : dir;
    }
}
