using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;
using Berth.Cli.Terminal;

namespace Berth.Cli.Commands;

// The instance verbs: launch, init, list, start, stop, restart, pause, delete, exec (LXD's spelling and flags).

/// <summary><c>berth launch|init [remote:]image [remote:]name</c>.</summary>
internal sealed class LaunchCommand : Command
{
    private readonly Argument<string> _image = new("image") { Description = "[<remote>:]<image>" };
    private readonly Argument<string> _name = new("name") { Description = "[<remote>:]<name>" };
    private readonly Option<string[]> _profiles = new("--profile", "-p") { Description = "Profile to apply to the new instance" };
    private readonly Option<string[]> _config = new("--config", "-c") { Description = "Config key/value to apply to the new instance" };
    private readonly Option<bool> _ephemeral = new("--ephemeral", "-e") { Description = "Ephemeral instance" };
    private readonly Option<string?> _storage = new("--storage", "-s") { Description = "Storage pool name" };
    private readonly bool _start;

    public LaunchCommand(CliApp app, string verb, bool start)
        : base(verb, start ? "Create and start instances from images" : "Create instances from images")
    {
        _start = start;
        Arguments.Add(_image);
        Arguments.Add(_name);
        Options.Add(_profiles);
        Options.Add(_config);
        Options.Add(_ephemeral);
        Options.Add(_storage);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(context.GetValue(_name));
        var storage = context.GetValue(_storage);
        var (imageRemote, image) = context.ParseRemote(context.GetValue(_image));
        var client = context.Client(remote);
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in context.GetValue(_config) ?? [])
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"Bad key=value pair: {entry}");
            }

            config[entry[..eq]] = entry[(eq + 1)..];
        }

        var profiles = context.GetValue(_profiles);

        // An image on another remote: the target server pulls it from there, as lxc asks it to.
        var source = imageRemote == remote
            ? new InstanceSource { Type = "image", Alias = image.Length == 64 ? "" : image, Fingerprint = image.Length == 64 ? image : "" }
            : (await RemoteImageSource.ResolveAsync(context, imageRemote, context.GetValue(_image), cancellationToken).ConfigureAwait(false)).ForInstance();
        await context.Out.WriteLineAsync($"Creating {name}").ConfigureAwait(false);
        await client.CreateInstanceAsync(new InstancesPost
        {
            Name = name,
            Source = source,
            Config = config,
            Profiles = profiles is { Length: > 0 } ? [.. profiles] : null,
            Ephemeral = context.GetValue(_ephemeral),
            Devices = string.IsNullOrEmpty(storage) ? null : new() { ["root"] = new() { ["path"] = "/", ["pool"] = storage, ["type"] = "disk" } },
        }, cancellationToken).ConfigureAwait(false);
        if (_start)
        {
            await context.Out.WriteLineAsync($"Starting {name}").ConfigureAwait(false);
            await client.ChangeInstanceStateAsync(name, "start", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth list</c>: NAME, STATE, IPV4, IPV6, TYPE, SNAPSHOTS.</summary>
internal sealed class ListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public ListCommand(CliApp app) : base("list", "List instances")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var instances = await context.Client(context.ParseRemoteOnly(context.GetValue(_remote))).GetInstancesFullAsync(cancellationToken).ConfigureAwait(false);
        var rows = instances.Select(i => new[]
        {
            i.Name,
            i.Status.ToUpperInvariant(),
            Addresses(i, "inet"),
            Addresses(i, "inet6"),
            i.Ephemeral ? "CONTAINER (EPHEMERAL)" : "CONTAINER",
            (i.Snapshots?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["NAME", "STATE", "IPV4", "IPV6", "TYPE", "SNAPSHOTS"], rows,
            _ => Render.Element(instances, ApiJsonContext.Wire.ListInstanceFull))).ConfigureAwait(false);
    }

    private static string Addresses(InstanceFull instance, string family) =>
        string.Join('\n', (instance.State?.Network ?? []).Where(n => n.Key != "lo")
            .SelectMany(n => n.Value.Addresses.Where(a => a.Family == family && a.Scope == "global").Select(a => $"{a.Address} ({n.Key})")));
}

/// <summary><c>berth start|stop|restart|pause name...</c>.</summary>
internal sealed class StateCommand : Command
{
    private readonly Argument<string[]> _names = new("name") { Description = "[<remote>:]<name>", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Force the instance to stop" };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Time to wait for the instance to shutdown cleanly", DefaultValueFactory = _ => -1 };
    private readonly string _verb;

    public StateCommand(CliApp app, string verb, string description) : base(verb, description)
    {
        _verb = verb;
        Arguments.Add(_names);
        if (verb is "stop" or "restart")
        {
            Options.Add(_force);
            Options.Add(_timeout);
        }

        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        foreach (var raw in context.GetValue(_names))
        {
            var (remote, name) = context.ParseRemote(raw);
            var action = _verb == "pause" ? "freeze" : _verb;
            await context.Client(remote).ChangeInstanceStateAsync(name, action, context.GetValue(_force), context.GetValue(_timeout), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>berth delete [-f] name...</c>: <c>--force</c> stops a running instance first.</summary>
internal sealed class DeleteCommand : Command
{
    private readonly Argument<string[]> _names = new("name") { Description = "[<remote>:]<name>", Arity = ArgumentArity.OneOrMore };
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Force the removal of running instances" };

    public DeleteCommand(CliApp app) : base("delete", "Delete instances")
    {
        Aliases.Add("rm");
        Arguments.Add(_names);
        Options.Add(_force);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        foreach (var raw in context.GetValue(_names))
        {
            var (remote, name) = context.ParseRemote(raw);
            var client = context.Client(remote);
            if (name.Split('/', 2) is [var instanceName, var snapshot])
            {
                await client.DeleteInstanceSnapshotAsync(instanceName, snapshot, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (context.GetValue(_force))
            {
                var (instance, _) = await client.GetAsync($"/1.0/instances/{Uri.EscapeDataString(name)}", ApiJsonContext.Wire.Instance, cancellationToken).ConfigureAwait(false);
                if (instance.StatusCode != StatusCode.Stopped)
                {
                    await client.ChangeInstanceStateAsync(name, "stop", force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }

            await client.DeleteInstanceAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// <c>berth exec name [--env K=V] [--cwd D] [--user N] [-t|-T] -- command...</c>: the command's exit code becomes
/// berth's. As lxc: under a pseudo-terminal when stdin and stdout are terminals (or -t), the local terminal raw and
/// its size followed; otherwise stdin, stdout and stderr are relayed separately.
/// </summary>
internal sealed class ExecCommand : Command
{
    private readonly Argument<string> _name = new("name") { Description = "[<remote>:]<name>" };
    private readonly Argument<string[]> _command = new("command") { Description = "Command and arguments", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string[]> _env = new("--env") { Description = "Environment variable to set (e.g. HOME=/home/foo)" };
    private readonly Option<string?> _cwd = new("--cwd") { Description = "Directory to run the command in" };
    private readonly Option<uint> _user = new("--user") { Description = "User ID to run the command as" };
    private readonly Option<uint> _group = new("--group") { Description = "Group ID to run the command as" };
    private readonly Option<bool> _noInput = new("-n") { Description = "Disable stdin (reads from /dev/null)" };
    private readonly Option<bool> _noTty = new("--force-noninteractive", "-T") { Description = "Disable pseudo-terminal allocation" };
    private readonly Option<bool> _tty = new("--force-interactive", "-t") { Description = "Force pseudo-terminal allocation" };
    private readonly Option<string> _mode = new("--mode") { Description = "Override the terminal mode (auto, interactive or non-interactive)", DefaultValueFactory = _ => "auto" };

    public ExecCommand(CliApp app) : base("exec", "Execute commands in instances")
    {
        Arguments.Add(_name);
        Arguments.Add(_command);
        Options.Add(_env);
        Options.Add(_cwd);
        Options.Add(_user);
        Options.Add(_group);
        Options.Add(_noInput);
        Options.Add(_noTty);
        Options.Add(_tty);
        Options.Add(_mode);
        _mode.AcceptOnlyFromAmong("auto", "interactive", "non-interactive");
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = context.ParseRemote(context.GetValue(_name));
        if (context.GetValue(_tty) && context.GetValue(_noTty))
        {
            throw new CliException("You can't pass -t and -T at the same time");
        }

        var mode = context.GetValue(_mode);
        var interactive = context.GetValue(_tty) || mode == "interactive"
            || (!context.GetValue(_noTty) && mode == "auto" && !Console.IsInputRedirected && !Console.IsOutputRedirected);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Host.GetEnvironment("TERM") is { Length: > 0 } term)
        {
            environment["TERM"] = term;
        }

        foreach (var entry in context.GetValue(_env) ?? [])
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            environment[eq > 0 ? entry[..eq] : entry] = eq > 0 ? entry[(eq + 1)..] : "";
        }

        var request = new InstanceExecPost
        {
            Command = [.. context.GetValue(_command)],
            Environment = environment,
            Cwd = context.GetValue(_cwd) ?? "",
            User = context.GetValue(_user),
            Group = context.GetValue(_group),
        };
        await using var stdout = Console.OpenStandardOutput();
        if (interactive)
        {
            context.ExitCode = await RunInTerminalAsync(context, remote, name, request, stdout, cancellationToken).ConfigureAwait(false);
            return;
        }

        var stdin = context.GetValue(_noInput) || !Console.IsInputRedirected ? null : Console.OpenStandardInput();
        await using var stderr = Console.OpenStandardError();
        context.ExitCode = await context.Client(remote).ExecAsync(name, request, stdin, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RunInTerminalAsync(CliContext context, string remote, string name, InstanceExecPost request, Stream stdout, CancellationToken cancellationToken)
    {
        (request.Width, request.Height) = RawTerminal.Size();
        Stream stdin = context.GetValue(_noInput) ? Stream.Null : Console.OpenStandardInput();
        using var terminal = RawTerminal.Enter();
        return await context.Client(remote).ExecInteractiveAsync(name, request, stdin, stdout, terminal?.Resizes, cancellationToken).ConfigureAwait(false);
    }
}
