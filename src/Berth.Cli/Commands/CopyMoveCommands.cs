using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth copy source[/snapshot] target [--instance-only] [-s pool] [-c k=v] [-p profile] [-e]</c>.</summary>
internal sealed class CopyCommand : Command
{
    private readonly Argument<string> _source = new("source") { Description = "[<remote>:]<instance>[/<snapshot>]" };
    private readonly Argument<string> _target = new("target") { Description = "[<remote>:]<name>" };
    private readonly Option<bool> _instanceOnly = new("--instance-only") { Description = "Copy the instance without its snapshots" };
    private readonly Option<string?> _storage = new("--storage", "-s") { Description = "Storage pool name" };
    private readonly Option<string[]> _config = new("--config", "-c") { Description = "Config key/value to apply to the new instance" };
    private readonly Option<string[]> _profiles = new("--profile", "-p") { Description = "Profile to apply to the new instance" };
    private readonly Option<bool> _ephemeral = new("--ephemeral", "-e") { Description = "Ephemeral instance" };
    private readonly Option<string> _mode = MigrationMode.Create();
    private readonly Option<bool> _stateless = new("--stateless") { Description = "Copy a stateless instance" };

    public CopyCommand(CliApp app) : base("copy", "Copy instances within or in between LXD servers")
    {
        Aliases.Add("cp");
        Arguments.Add(_source);
        Arguments.Add(_target);
        Options.Add(_instanceOnly);
        Options.Add(_storage);
        Options.Add(_config);
        Options.Add(_profiles);
        Options.Add(_ephemeral);
        Options.Add(_mode);
        Options.Add(_stateless);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, source) = context.ParseRemote(context.GetValue(_source));
        var (targetRemote, target) = context.ParseRemote(context.GetValue(_target));
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in context.GetValue(_config) ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ApiException(400, $"Bad key=value pair: {pair}");
            }

            config[pair[..eq]] = pair[(eq + 1)..];
        }

        var storage = context.GetValue(_storage);
        var profiles = context.GetValue(_profiles);
        if (targetRemote != remote)
        {
            var overrides = new RemoteInstanceCopy.Overrides(config, profiles, context.GetValue(_ephemeral), storage);
            await RemoteInstanceCopy.CopyAsync(
                context, remote, source, targetRemote, target, overrides, context.GetValue(_mode), context.GetValue(_stateless), context.GetValue(_instanceOnly), keepVolatile: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        var request = new InstancesPost
        {
            Name = target,
            Config = config,
            Profiles = profiles is { Length: > 0 } ? [.. profiles] : null,
            Ephemeral = context.GetValue(_ephemeral),
            Devices = string.IsNullOrEmpty(storage) ? null : new() { ["root"] = new() { ["path"] = "/", ["pool"] = storage, ["type"] = "disk" } },
        };
        await context.Client(remote).CopyInstanceAsync(source, request, context.GetValue(_instanceOnly), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth move source target</c> renames; <c>-s pool</c> moves the instance's storage to another pool.</summary>
internal sealed class MoveCommand : Command
{
    private readonly Argument<string> _source = new("source") { Description = "[<remote>:]<instance>" };
    private readonly Argument<string?> _target = new("target") { Description = "[<remote>:][<name>]", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _storage = new("--storage", "-s") { Description = "Storage pool name" };
    private readonly Option<string> _mode = MigrationMode.Create();
    private readonly Option<bool> _stateless = new("--stateless") { Description = "Copy a stateless instance" };
    private readonly Option<bool> _instanceOnly = new("--instance-only") { Description = "Move the instance without its snapshots" };

    public MoveCommand(CliApp app) : base("move", "Move instances within or in between LXD servers")
    {
        Aliases.Add("mv");
        Arguments.Add(_source);
        Arguments.Add(_target);
        Options.Add(_storage);
        Options.Add(_mode);
        Options.Add(_stateless);
        Options.Add(_instanceOnly);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, source) = context.ParseRemote(context.GetValue(_source));
        var (targetRemote, target) = context.ParseRemote(context.GetValue(_target) ?? context.GetValue(_source));
        var storage = context.GetValue(_storage);
        if (targetRemote != remote)
        {
            await RemoteInstanceCopy.MoveAsync(
                context, remote, source, targetRemote, target, storage, context.GetValue(_mode), context.GetValue(_stateless), context.GetValue(_instanceOnly), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(storage) && (target.Length == 0 || target == source))
        {
            throw new ApiException(400, "A move needs a new name or a storage pool (-s)");
        }

        var client = context.Client(remote);
        if (!string.IsNullOrEmpty(storage))
        {
            await client.MoveInstanceToPoolAsync(source, storage, cancellationToken).ConfigureAwait(false);
        }

        if (target.Length > 0 && target != source)
        {
            await client.RenameInstanceAsync(source, target, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary><c>--mode pull|push|relay</c> of a copy or move between servers.</summary>
internal static class MigrationMode
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--mode") { Description = "Transfer mode. One of pull (default), push or relay", DefaultValueFactory = _ => "pull" };
        option.AcceptOnlyFromAmong("pull", "push", "relay");
        return option;
    }
}
