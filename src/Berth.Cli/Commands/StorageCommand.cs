using System.CommandLine;
using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Cli.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth storage</c>: pools, with lxc's verbs and output.</summary>
internal sealed class StorageCommand : Command
{
    public StorageCommand(CliApp app) : base("storage", "Manage storage pools and volumes")
    {
        Subcommands.Add(new StorageListCommand(app));
        Subcommands.Add(new StorageShowCommand(app));
        Subcommands.Add(new StorageCreateCommand(app));
        Subcommands.Add(new StorageDeleteCommand(app));
        Subcommands.Add(new StorageGetCommand(app));
        Subcommands.Add(new StorageSetCommand(app, unset: false));
        Subcommands.Add(new StorageSetCommand(app, unset: true));
        Subcommands.Add(new StorageEditCommand(app));
        Subcommands.Add(new StorageInfoCommand(app));
        Subcommands.Add(new StorageVolumeCommand(app));
    }

    internal static Argument<string> PoolArgument() => new("pool") { Description = "[<remote>:]<pool>" };

    internal static (string Remote, string Name) Target(CliContext context, string raw)
    {
        var (remote, name) = context.ParseRemote(raw);
        return name.Length == 0 ? throw new CliException("Missing pool name") : (remote, name);
    }

    internal static StoragePoolPut Writable(StoragePoolPut pool) => new() { Config = pool.Config ?? [], Description = pool.Description ?? "" };
}

/// <summary><c>berth storage list</c>: NAME, DRIVER, SOURCE, DESCRIPTION, USED BY, STATE.</summary>
internal sealed class StorageListCommand : Command
{
    private readonly Argument<string?> _remote = new("remote") { Description = "[<remote>:]", Arity = ArgumentArity.ZeroOrOne };

    public StorageListCommand(CliApp app) : base("list", "List available storage pools")
    {
        Aliases.Add("ls");
        Arguments.Add(_remote);
        Options.Add(FormatOption.Create());
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var pools = await context.Client(context.ParseRemoteOnly(context.GetValue(_remote))).GetStoragePoolsAsync(cancellationToken).ConfigureAwait(false);
        var rows = pools.Select(p => new[]
        {
            p.Name, p.Driver, p.Config.GetValueOrDefault("source", ""), p.Description,
            p.UsedBy.Count.ToString(CultureInfo.InvariantCulture), p.Status.ToUpperInvariant(),
        }).ToList();
        await context.Out.WriteAsync(TableFormat.Render(FormatOption.Get(context), ["NAME", "DRIVER", "SOURCE", "DESCRIPTION", "USED BY", "STATE"], rows,
            _ => Render.Element(pools, ApiJsonContext.Wire.ListStoragePool))).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage show pool</c>: the pool as YAML.</summary>
internal sealed class StorageShowCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();

    public StorageShowCommand(CliApp app) : base("show", "Show storage pool configurations and resources")
    {
        Arguments.Add(_pool);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        var (pool, _) = await context.Client(remote).GetStoragePoolAsync(name, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteAsync(Render.Yaml(pool, ApiJsonContext.Wire.StoragePool)).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage create pool driver [key=value...]</c>.</summary>
internal sealed class StorageCreateCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _driver = new("driver") { Description = "dir or btrfs" };
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "Pool configuration", Arity = ArgumentArity.ZeroOrMore };

    public StorageCreateCommand(CliApp app) : base("create", "Create storage pools")
    {
        Arguments.Add(_pool);
        Arguments.Add(_driver);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        var config = KeyValues.ParsePairs(context.GetValue(_pairs) ?? []);
        await context.Client(remote).CreateStoragePoolAsync(new StoragePoolsPost { Name = name, Driver = context.GetValue(_driver), Config = config }, cancellationToken).ConfigureAwait(false);
        context.Print($"Storage pool {name} created");
    }
}

/// <summary><c>berth storage delete pool</c>.</summary>
internal sealed class StorageDeleteCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();

    public StorageDeleteCommand(CliApp app) : base("delete", "Delete storage pools")
    {
        Aliases.Add("rm");
        Arguments.Add(_pool);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        await context.Client(remote).DeleteStoragePoolAsync(name, cancellationToken).ConfigureAwait(false);
        context.Print($"Storage pool {name} deleted");
    }
}

/// <summary><c>berth storage get pool key</c>.</summary>
internal sealed class StorageGetCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string> _key = new("key") { Description = "Configuration key" };

    public StorageGetCommand(CliApp app) : base("get", "Get values for storage pool configuration keys")
    {
        Arguments.Add(_pool);
        Arguments.Add(_key);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        var (pool, _) = await context.Client(remote).GetStoragePoolAsync(name, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync(pool.Config.GetValueOrDefault(context.GetValue(_key), "")).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage set pool key=value...</c> and <c>berth storage unset pool key</c>: read, change, PUT with If-Match.</summary>
internal sealed class StorageSetCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Argument<string[]> _pairs = new("key=value") { Description = "<key>=<value>... or <key> <value>", Arity = ArgumentArity.OneOrMore };
    private readonly bool _unset;

    public StorageSetCommand(CliApp app, bool unset) : base(unset ? "unset" : "set", unset ? "Unset storage pool configuration keys" : "Set storage pool configuration keys")
    {
        _unset = unset;
        Arguments.Add(_pool);
        Arguments.Add(_pairs);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        var client = context.Client(remote);
        var (pool, etag) = await client.GetStoragePoolAsync(name, cancellationToken).ConfigureAwait(false);
        var pairs = _unset ? [.. context.GetValue(_pairs).Select(k => new KeyValuePair<string, string>(k, ""))] : KeyValues.Parse(context.GetValue(_pairs));
        foreach (var (key, value) in pairs)
        {
            if (value.Length == 0)
            {
                pool.Config.Remove(key);
            }
            else
            {
                pool.Config[key] = value;
            }
        }

        await client.UpdateStoragePoolAsync(name, StorageCommand.Writable(pool), etag, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage edit pool</c>: YAML in the editor or from stdin.</summary>
internal sealed class StorageEditCommand : Command
{
    private const string Header = """
        ### This is a YAML representation of a storage pool.
        ### Any line starting with a '#' will be ignored.
        ###
        ### A storage pool consists of a set of configuration items.
        ###
        ### An example would look like:
        ### name: default
        ### driver: btrfs
        ### used_by: []
        ### config:
        ###   size: "5GiB"
        ###   source: /var/lib/lxd/disks/default.img

        """;

    private readonly Argument<string> _pool = StorageCommand.PoolArgument();

    public StorageEditCommand(CliApp app) : base("edit", "Edit storage pool configurations as YAML")
    {
        Arguments.Add(_pool);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        var client = context.Client(remote);
        var (pool, etag) = await client.GetStoragePoolAsync(name, cancellationToken).ConfigureAwait(false);
        await context.EditAsync(Header + Render.Yaml(pool, ApiJsonContext.Wire.StoragePool), async text =>
        {
            var put = StorageCommand.Writable(Render.FromYaml(text, ApiJsonContext.Wire.StoragePoolPut));
            await client.UpdateStoragePoolAsync(name, put, etag, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}

/// <summary><c>berth storage info pool [--bytes]</c>: lxc's summary of space and users.</summary>
internal sealed class StorageInfoCommand : Command
{
    private readonly Argument<string> _pool = StorageCommand.PoolArgument();
    private readonly Option<bool> _bytes = new("--bytes") { Description = "Show the used and free space in bytes" };

    public StorageInfoCommand(CliApp app) : base("info", "Show useful information about storage pools")
    {
        Arguments.Add(_pool);
        Options.Add(_bytes);
        app.SetAction(this, RunAsync);
    }

    private async Task RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var (remote, name) = StorageCommand.Target(context, context.GetValue(_pool));
        var client = context.Client(remote);
        var (pool, _) = await client.GetStoragePoolAsync(name, cancellationToken).ConfigureAwait(false);
        var resources = await client.GetStoragePoolResourcesAsync(name, cancellationToken).ConfigureAwait(false);
        var size = context.GetValue(_bytes) ? (Func<long, string>)(b => b.ToString(CultureInfo.InvariantCulture)) : Iec;
        var text = new System.Text.StringBuilder();
        text.Append("info:\n");
        text.Append(CultureInfo.InvariantCulture, $"  description: {(pool.Description.Length == 0 ? "\"\"" : pool.Description)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  driver: {pool.Driver}\n");
        text.Append(CultureInfo.InvariantCulture, $"  name: {pool.Name}\n");
        text.Append(CultureInfo.InvariantCulture, $"  space used: {size(resources.Space.Used)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  total space: {size(resources.Space.Total)}\n");
        var groups = pool.UsedBy.GroupBy(u => u.Split('/')[2]).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (groups.Count == 0)
        {
            text.Append("used by: {}\n");
        }
        else
        {
            text.Append("used by:\n");
            foreach (var group in groups)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {group.Key}:\n");
                foreach (var url in group)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  - {Uri.UnescapeDataString(string.Join('/', url.Split('?')[0].Split('/').Skip(3)))}\n");
                }
            }
        }

        await context.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    /// <summary>lxc's units.GetByteSizeStringIEC(n, 2).</summary>
    internal static string Iec(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if (bytes < 1024)
        {
            return $"{bytes}B";
        }

        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("F2", CultureInfo.InvariantCulture) + units[unit];
    }
}
