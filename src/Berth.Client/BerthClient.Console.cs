using System.Net.WebSockets;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;

namespace Berth.Client;

public sealed partial class BerthClient
{
    /// <summary>The console log (<c>GET .../console</c>, text/plain).</summary>
    public Task<string> GetInstanceConsoleLogAsync(string name, CancellationToken cancellationToken = default) =>
        GetTextAsync($"/1.0/instances/{Escape(name)}/console", cancellationToken);

    public async Task ClearInstanceConsoleLogAsync(string name, CancellationToken cancellationToken = default) =>
        await RawAsync(HttpMethod.Delete, $"/1.0/instances/{Escape(name)}/console", cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Names of the instance's log files (lxc.log, lxc.conf, console.log...).</summary>
    public async Task<List<string>> GetInstanceLogsAsync(string name, CancellationToken cancellationToken = default) =>
        [.. (await GetAsync($"/1.0/instances/{Escape(name)}/logs", ApiJsonContext.Wire.ListString, cancellationToken).ConfigureAwait(false)).Value.Select(LastPathSegment)];

    public Task<string> GetInstanceLogAsync(string name, string file, CancellationToken cancellationToken = default) =>
        GetTextAsync($"/1.0/instances/{Escape(name)}/logs/{Escape(file)}", cancellationToken);

    /// <summary>
    /// Attaches to the instance's console: <paramref name="input"/> goes to the console and its output to
    /// <paramref name="output"/>; the end of input detaches (closes the control socket, as lxc's ctrl-a q does).
    /// </summary>
    public async Task AttachInstanceConsoleAsync(string name, Stream input, Stream output, int width = 0, int height = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var post = new InstanceConsolePost { Type = "console", Width = width, Height = height };
        var (response, _) = await SendJsonAsync(HttpMethod.Post, $"/1.0/instances/{Escape(name)}/console", post, ApiJsonContext.Wire.InstanceConsolePost, cancellationToken: cancellationToken).ConfigureAwait(false);
        var operation = response.Metadata.Deserialize(ApiJsonContext.Wire.Operation)!;
        var fds = operation.Metadata?["fds"].Deserialize(ApiJsonContext.Wire.DictionaryStringString) ?? throw new ApiException(500, "The server sent no console websockets");
        var sockets = await Task.WhenAll(new[] { "control", "0" }.Select(fd => ConnectOperationSocketAsync(operation.Id, fds[fd], cancellationToken))).ConfigureAwait(false);
        using var control = sockets[0];
        using var data = sockets[1];
        var receiving = ReceiveAsync(data, output, cancellationToken);
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while (!receiving.IsCompleted && (read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await data.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
        }

        try
        {
            await control.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Detaching from console", cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
        }

        await receiving.ConfigureAwait(false);
        await WaitOperationAsync(operation.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A GET whose success body is plain text (errors still come as envelopes).</summary>
    private async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WithProject(path));
        Log?.Invoke($"Sending request: method=GET url={request.RequestUri}");
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }
}
