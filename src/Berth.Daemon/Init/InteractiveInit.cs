using Berth.Api;

namespace Berth.Daemon.Init;

/// <summary>
/// The questions <c>lxd init</c> asks, for what this berthd can configure; answers become a preseed.
/// </summary>
internal sealed class InteractiveInit(TextReader input, TextWriter output)
{
    public Preseed Ask()
    {
        if (AskBool("Would you like to use LXD clustering? (yes/no) [default=no]: ", false))
        {
            throw new ApiException(400, "Clustering is not supported by this berthd yet");
        }

        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (AskBool("Would you like the LXD server to be available over the network? (yes/no) [default=no]: ", false))
        {
            var address = AskString("Address to bind LXD to (not including port) [default=all]: ", "all");
            var port = AskInt("Port to bind LXD to [default=8443]: ", 8443);
            address = address == "all" ? "" : address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
            config["core.https_address"] = $"{address}:{port}";
            var password = AskPassword();
            if (password.Length > 0)
            {
                config["core.trust_password"] = password;
            }
        }

        if (!AskBool("Would you like stale cached images to be updated automatically? (yes/no) [default=yes]: ", true))
        {
            config["images.auto_update_interval"] = "0";
        }

        var seed = new Preseed { Config = config };
        if (AskBool("Would you like a YAML \"lxd init\" preseed to be printed? (yes/no) [default=no]: ", false))
        {
            output.Write(PreseedYaml.Write(seed));
        }

        return seed;
    }

    private string AskPassword()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var first = AskString("Trust password for new clients: ", "");
            var second = AskString("Again: ", "");
            if (first == second)
            {
                return first;
            }

            output.WriteLine("Passwords don't match, please try again.");
        }

        throw new ApiException(400, "Passwords don't match");
    }

    private bool AskBool(string question, bool defaultValue)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var answer = AskString(question, defaultValue ? "yes" : "no").ToLowerInvariant();
            if (answer is "yes" or "y")
            {
                return true;
            }

            if (answer is "no" or "n")
            {
                return false;
            }

            output.WriteLine("Invalid input, try again.");
        }

        throw new ApiException(400, "Too many invalid answers");
    }

    private int AskInt(string question, int defaultValue)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (int.TryParse(AskString(question, defaultValue.ToString()), out var value) && value is > 0 and < 65536)
            {
                return value;
            }

            output.WriteLine("Invalid input, try again.");
        }

        throw new ApiException(400, "Too many invalid answers");
    }

    private string AskString(string question, string defaultValue)
    {
        output.Write(question);
        output.Flush();
        var line = input.ReadLine() ?? throw new ApiException(400, "No more input: init cancelled");
        line = line.Trim();
        return line.Length == 0 ? defaultValue : line;
    }
}
