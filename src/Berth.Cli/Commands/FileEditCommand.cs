using System.CommandLine;
using System.Text;
using Berth.Api;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth file edit [remote:]instance/path</c>: as lxc, the file's new content comes from stdin when it is not a
/// terminal, else from the editor opened on the current content; it is pushed back with its owner and mode.
/// </summary>
internal sealed class FileEditCommand : Command
{
    private readonly Argument<string> _path = new("path") { Description = "[<remote>:]<instance>/<path>" };

    public FileEditCommand(CliApp app) : base("edit", "Edit files in instances")
    {
        Arguments.Add(_path);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var raw = context.GetValue(_path);
        var (remote, instance, path) = FileCommand.ParseTarget(context, raw);
        var client = context.Client(remote);
        if (!context.Host.InputIsTerminal)
        {
            var piped = await context.Host.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await PushAsync(piped, -1, -1, -1).ConfigureAwait(false);
            return;
        }

        string current;
        InstanceFileInfo info;
        try
        {
            using var file = await client.GetInstanceFileAsync(instance, path, cancellationToken).ConfigureAwait(false);
            if (file.Info.Type != "file")
            {
                throw new CliException($"{raw}: not a regular file");
            }

            using var reader = new StreamReader(file.Content, Encoding.UTF8);
            current = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            info = file.Info;
        }
        catch (ApiException e) when (e.Status == 404)
        {
            throw new CliException($"{raw}: not found");
        }

        var edited = context.Host.Edit(current);
        if (edited != current)
        {
            await PushAsync(edited, info.Uid, info.Gid, info.Mode).ConfigureAwait(false);
        }

        async Task PushAsync(string text, int uid, int gid, int mode)
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
            await client.PushInstanceFileAsync(instance, path, content, uid, gid, mode, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
