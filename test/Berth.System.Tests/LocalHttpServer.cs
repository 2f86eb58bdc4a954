using System.Diagnostics;

namespace Berth.System.Tests;

/// <summary>
/// python3's http.server on a free 127.0.0.1 port serving a temporary dir; <c>/lxd-image</c> answers (HEAD or GET)
/// with the headers in the dir's <c>headers.txt</c> (one <c>Name: value</c> per line), as an LXD URL image server does.
/// Stopped by its own PID.
/// </summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private const string Script = """
        import http.server, os, sys
        class Handler(http.server.SimpleHTTPRequestHandler):
            def meta(self):
                if self.path != '/lxd-image':
                    return False
                self.send_response(200)
                with open('headers.txt') as f:
                    for line in f:
                        if ':' in line:
                            name, value = line.split(':', 1)
                            self.send_header(name.strip(), value.strip())
                self.send_header('Content-Length', '0')
                self.end_headers()
                return True
            def do_HEAD(self):
                if not self.meta():
                    super().do_HEAD()
            def do_GET(self):
                if not self.meta():
                    super().do_GET()
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
        """;

    private Process? _process;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "berth-http-" + Guid.NewGuid().ToString("N")[..10]);

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<LocalHttpServer> StartAsync()
    {
        var server = new LocalHttpServer();
        Directory.CreateDirectory(server.Dir);
        File.WriteAllText(Path.Combine(server.Dir, "headers.txt"), "");
        File.WriteAllText(Path.Combine(server.Dir + ".py"), Script);
        server.Port = TestNetwork.FreePort();
        var start = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, WorkingDirectory = server.Dir, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(server.Dir + ".py");
        start.ArgumentList.Add(server.Port.ToString(global::System.Globalization.CultureInfo.InvariantCulture));
        server._process = Process.Start(start)!;
        using var probe = new HttpClient();
        for (var i = 0; i < 50; i++)
        {
            try
            {
                await probe.GetStringAsync(server.Url + "/headers.txt", TestContext.Current.CancellationToken);
                return server;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        await server.DisposeAsync();
        Assert.Fail("the test HTTP server did not start");
        return server;
    }

    /// <summary>Puts a file under the served dir.</summary>
    public void Put(string relative, byte[] bytes)
    {
        var path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    public void Put(string relative, string text) => Put(relative, global::System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A one-image simplestreams tree: alias <paramref name="alias"/> names the unified image <paramref name="file"/>.</summary>
    public void PutSimpleStreams(string alias, string file, string version)
    {
        var bytes = File.ReadAllBytes(file);
        var sha = TestImageFiles.Sha256(file);
        Put($"files/{sha}.tar.gz", bytes);
        Put("streams/v1/index.json", """{"format":"index:1.0","index":{"images":{"datatype":"image-downloads","path":"streams/v1/images.json","format":"products:1.0","products":["busybox:test:amd64:default"]}}}""");
        Put("streams/v1/images.json", $$$"""
            {"format":"products:1.0","content_id":"images","datatype":"image-downloads","products":{"busybox:test:amd64:default":{
              "aliases":"{{{alias}}}","arch":"amd64","os":"busybox","release":"test","release_title":"test","variant":"default",
              "versions":{"{{{version}}}":{"items":{"lxd_combined.tar.gz":{"ftype":"lxd_combined.tar.gz","path":"files/{{{sha}}}.tar.gz","sha256":"{{{sha}}}","size":{{{bytes.Length}}} } } } } } }}
            """);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        File.Delete(Dir + ".py");
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}
