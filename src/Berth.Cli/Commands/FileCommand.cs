using System.CommandLine;
using Berth.Api;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>berth file push|pull|delete|edit</c>: files inside instances, addressed as <c>[remote:]instance/path</c>.</summary>
internal sealed class FileCommand : Command
{
    public FileCommand(CliApp app) : base("file", "Manage files in instances")
    {
        Subcommands.Add(new FilePushCommand(app));
        Subcommands.Add(new FilePullCommand(app));
        Subcommands.Add(new FileDeleteCommand(app));
        Subcommands.Add(new FileEditCommand(app));
    }

    /// <summary>Splits <c>[remote:]instance/path</c> into its parts; the path is made absolute.</summary>
    internal static (string Remote, string Instance, string Path) ParseTarget(CliContext context, string raw)
    {
        var (remote, rest) = context.ParseRemote(raw);
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new CliException($"Invalid instance path: \"{raw}\" (expected <instance>/<path>)");
        }

        return (remote, rest[..slash], "/" + rest[(slash + 1)..].TrimStart('/'));
    }

    internal static string Join(string directory, string name) => directory.TrimEnd('/') + "/" + name;
}

/// <summary><c>berth file push SOURCE... [remote:]instance/path [-r] [-p] [--uid] [--gid] [--mode]</c>.</summary>
internal sealed class FilePushCommand : Command
{
    private readonly Argument<string[]> _paths = new("paths") { Description = "<source>... [<remote>:]<instance>/<path>", Arity = new ArgumentArity(2, 1000) };
    private readonly Option<bool> _recursive = new("--recursive", "-r") { Description = "Recursively transfer files" };
    private readonly Option<bool> _parents = new("--create-dirs", "-p") { Description = "Create any directories necessary" };
    private readonly Option<int> _uid = new("--uid") { Description = "Set the file's uid on push", DefaultValueFactory = _ => -1 };
    private readonly Option<int> _gid = new("--gid") { Description = "Set the file's gid on push", DefaultValueFactory = _ => -1 };
    private readonly Option<string?> _mode = new("--mode") { Description = "Set the file's perms on push (octal)" };

    public FilePushCommand(CliApp app) : base("push", "Push files into instances")
    {
        Arguments.Add(_paths);
        Options.Add(_recursive);
        Options.Add(_parents);
        Options.Add(_uid);
        Options.Add(_gid);
        Options.Add(_mode);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var paths = context.GetValue(_paths);
        var (remote, instance, target) = FileCommand.ParseTarget(context, paths[^1]);
        var sources = paths[..^1];
        var client = context.Client(remote);
        var uid = context.GetValue(_uid);
        var gid = context.GetValue(_gid);
        var mode = context.GetValue(_mode) is { Length: > 0 } m ? ParseMode(m) : -1;
        var recursive = context.GetValue(_recursive);

        // Several sources, a trailing slash or -r: the target is a directory to put them in.
        var intoDirectory = sources.Length > 1 || paths[^1].EndsWith('/') || recursive;
        if (context.GetValue(_parents))
        {
            await CreateParentsAsync(client, instance, intoDirectory ? target + "/" : target, uid, gid, cancellationToken).ConfigureAwait(false);
        }

        foreach (var source in sources)
        {
            var name = Path.GetFileName(source.TrimEnd('/'));
            var destination = intoDirectory ? FileCommand.Join(target, name) : target;
            if (source == "-")
            {
                await using var stdin = Console.OpenStandardInput();
                await client.PushInstanceFileAsync(instance, destination, stdin, uid, gid, mode, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else if (Directory.Exists(source))
            {
                if (!recursive)
                {
                    throw new CliException($"\"{source}\" is a directory: use -r to push directories");
                }

                await PushTreeAsync(client, instance, source, destination, uid, gid, mode, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PushOneAsync(client, instance, source, destination, uid, gid, mode, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task PushTreeAsync(BerthClient client, string instance, string source, string destination, int uid, int gid, int mode, CancellationToken cancellationToken)
    {
        await client.CreateInstanceDirectoryAsync(instance, destination, uid, gid, mode >= 0 ? mode : ModeOf(source), cancellationToken).ConfigureAwait(false);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var target = FileCommand.Join(destination, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                await client.CreateInstanceSymlinkAsync(instance, target, link, uid, gid, cancellationToken).ConfigureAwait(false);
            }
            else if (entry is DirectoryInfo)
            {
                await PushTreeAsync(client, instance, entry.FullName, target, uid, gid, mode, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PushOneAsync(client, instance, entry.FullName, target, uid, gid, mode, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task PushOneAsync(BerthClient client, string instance, string source, string destination, int uid, int gid, int mode, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        await client.PushInstanceFileAsync(instance, destination, file, uid, gid, mode >= 0 ? mode : ModeOf(source), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs each missing parent directory of <paramref name="path"/>, as lxc push -p does.</summary>
    private static async Task CreateParentsAsync(BerthClient client, string instance, string path, int uid, int gid, CancellationToken cancellationToken)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var count = path.EndsWith('/') ? parts.Length : parts.Length - 1;
        var current = "";
        for (var i = 0; i < count; i++)
        {
            current += "/" + parts[i];
            await client.CreateInstanceDirectoryAsync(instance, current, uid, gid, 0x1ED, cancellationToken).ConfigureAwait(false);
        }
    }

    private static int ModeOf(string path) => (int)File.GetUnixFileMode(path);

    private static int ParseMode(string value)
    {
        try
        {
            var mode = Convert.ToInt32(value, 8);
            return mode is >= 0 and <= 0xFFF ? mode : throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new CliException($"Invalid mode \"{value}\": expected octal such as 0644");
        }
    }
}

/// <summary><c>berth file pull [remote:]instance/path... TARGET [-r]</c>; TARGET "-" writes to stdout.</summary>
internal sealed class FilePullCommand : Command
{
    private readonly Argument<string[]> _paths = new("paths") { Description = "[<remote>:]<instance>/<path>... <target>", Arity = new ArgumentArity(2, 1000) };
    private readonly Option<bool> _recursive = new("--recursive", "-r") { Description = "Recursively transfer files" };
    private readonly Option<bool> _parents = new("--create-dirs", "-p") { Description = "Create any directories necessary" };

    public FilePullCommand(CliApp app) : base("pull", "Pull files from instances")
    {
        Arguments.Add(_paths);
        Options.Add(_recursive);
        Options.Add(_parents);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var paths = context.GetValue(_paths);
        var target = paths[^1];
        var sources = paths[..^1];
        if (context.GetValue(_parents) && target != "-")
        {
            Directory.CreateDirectory(sources.Length > 1 || target.EndsWith('/') ? target : Path.GetDirectoryName(Path.GetFullPath(target))!);
        }

        var intoDirectory = Directory.Exists(target) || sources.Length > 1 || target.EndsWith('/');
        foreach (var source in sources)
        {
            var (remote, instance, path) = FileCommand.ParseTarget(context, source);
            var client = context.Client(remote);
            if (target == "-")
            {
                using var file = await client.GetInstanceFileAsync(instance, path, cancellationToken).ConfigureAwait(false);
                if (file.Info.Type == "directory")
                {
                    throw new CliException($"\"{path}\" is a directory");
                }

                await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                await using var stdout = Console.OpenStandardOutput();
                await file.Content.CopyToAsync(stdout, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var destination = intoDirectory ? Path.Combine(target, Path.GetFileName(path.TrimEnd('/'))) : target;
            await PullAsync(client, instance, path, destination, context.GetValue(_recursive), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task PullAsync(BerthClient client, string instance, string path, string destination, bool recursive, CancellationToken cancellationToken)
    {
        using var file = await client.GetInstanceFileAsync(instance, path, cancellationToken).ConfigureAwait(false);
        switch (file.Info.Type)
        {
            case "directory":
                if (!recursive)
                {
                    throw new CliException($"\"{path}\" is a directory: use -r to pull directories");
                }

                Directory.CreateDirectory(destination);
                foreach (var entry in file.Entries)
                {
                    await PullAsync(client, instance, FileCommand.Join(path, entry), Path.Combine(destination, entry), recursive, cancellationToken).ConfigureAwait(false);
                }

                break;
            case "symlink":
                using (var reader = new StreamReader(file.Content))
                {
                    var link = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                    if (File.Exists(destination) || Directory.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
                    {
                        File.Delete(destination);
                    }

                    File.CreateSymbolicLink(destination, link);
                }

                break;
            default:
                await using (var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    await file.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }

                if (file.Info.Mode >= 0)
                {
                    File.SetUnixFileMode(destination, (UnixFileMode)file.Info.Mode);
                }

                break;
        }
    }
}

/// <summary><c>berth file delete [remote:]instance/path...</c>.</summary>
internal sealed class FileDeleteCommand : Command
{
    private readonly Argument<string[]> _paths = new("paths") { Description = "[<remote>:]<instance>/<path>...", Arity = ArgumentArity.OneOrMore };

    public FileDeleteCommand(CliApp app) : base("delete", "Delete files in instances")
    {
        Aliases.Add("rm");
        Arguments.Add(_paths);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        foreach (var raw in context.GetValue(_paths))
        {
            var (remote, instance, path) = FileCommand.ParseTarget(context, raw);
            try
            {
                await context.Client(remote).DeleteInstanceFileAsync(instance, path, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Status == 404)
            {
                throw new CliException($"{raw}: not found");
            }
        }
    }
}
