using System.CommandLine;
using Berth.Api;
using Berth.Api.Json;
using Berth.Daemon.Init;

namespace Berth.Daemon.Commands;

/// <summary>
/// <c>berthd init</c>: configure the daemon, as <c>lxd init</c> does (interactive, <c>--auto</c>, <c>--preseed</c>,
/// <c>--dump</c>). It talks to the running daemon over its socket.
/// </summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var auto = new Option<bool>("--auto") { Description = "Automatic (non-interactive) mode" };
        var minimal = new Option<bool>("--minimal") { Description = "Minimal configuration (non-interactive)" };
        var preseed = new Option<bool>("--preseed") { Description = "Pre-seed mode, expects YAML config from stdin" };
        var dump = new Option<bool>("--dump") { Description = "Dump YAML config to stdout" };
        var networkAddress = new Option<string?>("--network-address") { Description = "Address to bind to (default: none)" };
        var networkPort = new Option<int>("--network-port") { Description = "Port to bind to (default: 8443)", DefaultValueFactory = _ => 8443 };
        var storageBackend = new Option<string?>("--storage-backend") { Description = "Storage backend to use (btrfs or dir)" };
        var storageDevice = new Option<string?>("--storage-create-device") { Description = "Setup device based storage using DEVICE" };
        var storageLoop = new Option<int?>("--storage-create-loop") { Description = "Setup loop based storage with SIZE in GiB" };
        var storagePool = new Option<string?>("--storage-pool") { Description = "Storage pool to use or create" };
        var trustPassword = new Option<string?>("--trust-password") { Description = "Password required to add new clients" };
        var command = new Command("init", "Configure the daemon")
        {
            auto, minimal, preseed, dump, networkAddress, networkPort, storageBackend, storageDevice, storageLoop, storagePool, trustPassword,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var modes = new[] { parse.GetValue(auto), parse.GetValue(minimal), parse.GetValue(preseed), parse.GetValue(dump) }.Count(m => m);
            if (modes > 1)
            {
                return await LocalDaemon.FailAsync("Can't use --auto, --minimal, --preseed and --dump together").ConfigureAwait(false);
            }

            var automatic = parse.GetValue(auto) || parse.GetValue(minimal);
            if (!automatic && (parse.GetValue(networkAddress) is not null || parse.GetValue(storageBackend) is not null || parse.GetValue(trustPassword) is not null))
            {
                return await LocalDaemon.FailAsync("Configuration flags require --auto").ConfigureAwait(false);
            }

            try
            {
                using var client = LocalDaemon.Connect(TimeSpan.FromSeconds(60));
                if (parse.GetValue(dump))
                {
                    Console.Write(PreseedYaml.Write(await DumpAsync(client, cancellationToken).ConfigureAwait(false)));
                    return 0;
                }

                Preseed seed;
                if (parse.GetValue(preseed))
                {
                    seed = PreseedYaml.Parse(await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
                }
                else if (automatic)
                {
                    // berthbrN is picked from the host's interfaces; if another daemon takes that name first, pick again.
                    for (var attempt = 0; ; attempt++)
                    {
                        seed = AutoPreseed(parse.GetValue(storageBackend), parse.GetValue(storageDevice), parse.GetValue(storageLoop), parse.GetValue(storagePool), parse.GetValue(networkAddress), parse.GetValue(networkPort), parse.GetValue(trustPassword));
                        await AutoStorage.AddAsync(client, seed, parse.GetValue(storageBackend), parse.GetValue(storageDevice), parse.GetValue(storageLoop), parse.GetValue(storagePool), cancellationToken).ConfigureAwait(false);
                        await AutoNetwork.AddAsync(client, seed, cancellationToken).ConfigureAwait(false);
                        try
                        {
                            await new PreseedApplier(client).ApplyAsync(seed, cancellationToken).ConfigureAwait(false);
                            return 0;
                        }
                        catch (ApiException e) when (e.Status == 409 && seed.Networks is { Count: > 0 } && attempt < 5)
                        {
                        }
                    }
                }
                else
                {
                    seed = new InteractiveInit(Console.In, Console.Out).Ask();
                }

                await new PreseedApplier(client).ApplyAsync(seed, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (ApiException e)
            {
                return await LocalDaemon.FailAsync(e.Message).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or Berth.Client.BerthConnectionException)
            {
                return await LocalDaemon.FailAsync($"Failed to connect to {LocalDaemon.SocketPath}: {e.Message}").ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>What --auto configures: the server address and password, storage through <see cref="AutoStorage"/> and a bridge through <see cref="AutoNetwork"/>.</summary>
    private static Preseed AutoPreseed(string? backend, string? device, int? loop, string? pool, string? address, int port, string? password)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(address))
        {
            config["core.https_address"] = address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('[') ? $"[{address}]:{port}" : $"{address}:{port}";
        }

        if (!string.IsNullOrEmpty(password))
        {
            config["core.trust_password"] = password;
        }

        return new Preseed { Config = config };
    }

    /// <summary>The current configuration as a preseed; secrets are left out (they are stored hashed).</summary>
    private static async Task<Preseed> DumpAsync(Berth.Client.BerthClient client, CancellationToken cancellationToken)
    {
        var (server, _) = await client.GetAsync("/1.0", ApiJsonContext.Wire.Server, cancellationToken).ConfigureAwait(false);
        var (profiles, _) = await client.GetAsync("/1.0/profiles?recursion=1", ApiJsonContext.Wire.ListProfile, cancellationToken).ConfigureAwait(false);
        var (pools, _) = await client.GetAsync("/1.0/storage-pools?recursion=1", ApiJsonContext.Wire.ListStoragePool, cancellationToken).ConfigureAwait(false);
        var (networks, _) = await client.GetAsync("/1.0/networks?recursion=1", ApiJsonContext.Wire.ListNetwork, cancellationToken).ConfigureAwait(false);
        var (projects, _) = await client.GetAsync("/1.0/projects?recursion=1", ApiJsonContext.Wire.ListProject, cancellationToken).ConfigureAwait(false);
        return new Preseed
        {
            Config = server.Config.Where(kv => kv.Key != "core.trust_password").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Networks = [.. networks.Where(n => n.Managed).Select(n => new NetworksPost { Config = n.Config, Description = n.Description, Name = n.Name, Type = n.Type })],
            StoragePools = [.. pools.Select(p => new StoragePoolsPost { Config = p.Config, Description = p.Description, Name = p.Name, Driver = p.Driver })],
            Profiles = [.. profiles.Select(p => new PreseedProfile
            {
                Name = p.Name,
                Description = p.Description,
                Config = p.Config,
                Devices = p.Devices,
            })],
            Projects = [.. projects.Select(p => new PreseedProject { Config = p.Config, Description = p.Description, Name = p.Name })],
        };
    }
}
