using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>
/// berthd as an HTTPS remote: Debian's lxc adds it with the trust password or a token and drives it (list, info,
/// exec over the websockets), pylxd connects with a client certificate, and untrusted callers get only the public
/// view. Each client has its own LXD_CONF/HOME, so no user config is touched.
/// </summary>
public sealed class HttpsTrustTests : IAsyncLifetime
{
    private const string Password = "s3cret-Pw";
    private readonly string _prefix = "h" + Guid.NewGuid().ToString("N")[..5];
    private readonly List<string> _clientDirs = [];
    private BerthdProcess _berthd = null!;
    private int _port;

    private string Url => $"https://127.0.0.1:{_port}";

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        _port = TestNetwork.FreePort();
        await MustAsync(_berthd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{_port}"));
        await MustAsync(_berthd.LxcAsync("config", "set", "core.trust_password", Password));
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        foreach (var dir in _clientDirs.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Lxc_RemoteWithPassword_ListsInfoExecsOverHttps()
    {
        await MustAsync(_berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox"));
        await MustAsync(_berthd.LxcAsync("launch", "busybox", _prefix + "c"));
        var client = NewClient();

        var wrong = await LxcAsAsync(client, "remote", "add", "b", Url, "--password", "wrong", "--accept-certificate");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("not authorized", wrong.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await _berthd.LxcAsync("config", "trust", "list", "--format", "csv")).Stdout.Trim());

        await MustAsync(LxcAsAsync(client, "remote", "add", "b", Url, "--password", Password, "--accept-certificate"));
        var list = await MustAsync(LxcAsAsync(client, "list", "b:", "--format", "csv", "-c", "ns"));
        Assert.Equal($"{_prefix}c,RUNNING", list.Stdout.Trim());
        var info = await MustAsync(LxcAsAsync(client, "info", "b:"));
        Assert.Contains("auth: trusted", info.Stdout, StringComparison.Ordinal);
        Assert.Contains($"- 127.0.0.1:{_port}", info.Stdout, StringComparison.Ordinal);

        // exec runs through the operation websockets, over TLS; the exit status comes back through them too.
        var exec = await MustAsync(LxcAsAsync(client, "exec", $"b:{_prefix}c", "--", "sh", "-c", "echo over-https; cat /etc/hostname"));
        Assert.Equal($"over-https\n{_prefix}c\n", exec.Stdout);
        Assert.Equal(0, (await LxcAsAsync(client, "exec", $"b:{_prefix}c", "--", "true")).ExitCode);
        Assert.Equal(3, (await LxcAsAsync(client, "exec", $"b:{_prefix}c", "--", "sh", "-c", "exit 3")).ExitCode);

        // berth reads the same config dir (config.yml, client.crt, servercerts/) and execs over the same HTTPS remote.
        var berthExec = await MustAsync(BerthAsAsync(client, "exec", $"b:{_prefix}c", "--", "cat", "/etc/hostname"));
        Assert.Equal($"{_prefix}c\n", berthExec.Stdout);

        // The trust store holds exactly the client's certificate, by LXD's fingerprint.
        var trust = (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout.Trim();
        var fingerprint = Fingerprint(Path.Combine(client, "client.crt"));
        Assert.StartsWith("client,", trust, StringComparison.Ordinal);
        Assert.Contains(fingerprint[..12], trust, StringComparison.Ordinal);
        var server = JsonDocument.Parse((await MustAsync(_berthd.LxcAsync("query", "/1.0"))).Stdout).RootElement.GetProperty("environment");
        Assert.Equal(Fingerprint(Path.Combine(_berthd.Dir, "server.crt")), server.GetProperty("certificate_fingerprint").GetString());

        // Unsetting the address stops the listener and setting it again rebinds, without a restart.
        await MustAsync(_berthd.LxcAsync("config", "unset", "core.https_address"));
        Assert.NotEqual(0, (await LxcAsAsync(client, "list", "b:")).ExitCode);
        using (var taken = new TcpListener(IPAddress.Loopback, 0))
        {
            taken.Start();
            var busy = await _berthd.LxcAsync("config", "set", "core.https_address", "127.0.0.1:" + ((IPEndPoint)taken.LocalEndpoint).Port);
            Assert.NotEqual(0, busy.ExitCode);
            Assert.Contains("Cannot listen on https socket", busy.Stderr, StringComparison.Ordinal);
            Assert.Equal("", (await MustAsync(_berthd.LxcAsync("config", "get", "core.https_address"))).Stdout.Trim());
        }

        await MustAsync(_berthd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{_port}"));
        Assert.Equal($"{_prefix}c", (await MustAsync(LxcAsAsync(client, "list", "b:", "--format", "csv", "-c", "n"))).Stdout.Trim());
    }

    [Fact]
    public async Task Untrusted_GetsPublicViewOnly_AndForbiddenElsewhere()
    {
        using var http = UntrustedClient();
        var root = JsonDocument.Parse(await http.GetStringAsync("/1.0")).RootElement.GetProperty("metadata");
        Assert.Equal("untrusted", root.GetProperty("auth").GetString());
        Assert.Equal("tls", root.GetProperty("auth_methods")[0].GetString());
        Assert.False(root.TryGetProperty("environment", out _));
        Assert.False(root.TryGetProperty("config", out _));

        foreach (var path in new[] { "/1.0/instances", "/1.0/events", "/1.0/certificates", "/1.0/storage-pools", "/1.0/operations" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("error", error.GetProperty("type").GetString());
            Assert.Equal(403, error.GetProperty("error_code").GetInt32());
        }

        using var put = await http.PutAsync("/1.0", new StringContent("""{"config":{}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        using var noCert = await http.PostAsync("/1.0/certificates", new StringContent($$"""{"type":"client","password":"{{Password}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, noCert.StatusCode); // right password but no client certificate to trust
        Assert.Equal("", (await _berthd.LxcAsync("config", "trust", "list", "--format", "csv")).Stdout.Trim());

        // A private image is invisible to untrusted callers; once public it can be listed, read and exported.
        await MustAsync(_berthd.BerthAsync("image", "build", "busybox", "--alias", "pub"));
        var fingerprint = (await MustAsync(_berthd.LxcAsync("image", "list", "pub", "--format", "csv", "-c", "F"))).Stdout.Trim();
        await MustAsync(_berthd.LxcAsync("query", "-X", "PATCH", "-d", """{"public":false}""", "/1.0/images/" + fingerprint));
        Assert.Equal("[]", Metadata(await http.GetStringAsync("/1.0/images")));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/1.0/images/" + fingerprint)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/1.0/images/aliases/pub")).StatusCode);
        await MustAsync(_berthd.LxcAsync("query", "-X", "PATCH", "-d", """{"public":true}""", "/1.0/images/" + fingerprint));
        Assert.Equal($"[\"/1.0/images/{fingerprint}\"]", Metadata(await http.GetStringAsync("/1.0/images")));
        using var export = await http.GetAsync($"/1.0/images/{fingerprint}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal(fingerprint, Convert.ToHexStringLower(SHA256.HashData(await export.Content.ReadAsByteArrayAsync())));
        Assert.Contains("\"/1.0/images/aliases/pub\"", Metadata(await http.GetStringAsync("/1.0/images/aliases")), StringComparison.Ordinal);
        using var delete = await http.DeleteAsync("/1.0/images/" + fingerprint);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
    }

    [Fact]
    public async Task Lxc_TrustToken_WorksOnce_AndRevokedTokensAreGone()
    {
        await MustAsync(_berthd.LxcAsync("init", "--empty", _prefix + "e"));
        var issued = await MustAsync(_berthd.LxcAsync("config", "trust", "add", "--name", "t1"));
        var token = issued.Stdout.Trim().Split('\n')[^1].Trim();
        Assert.Contains("t1,", (await MustAsync(_berthd.LxcAsync("config", "trust", "list-tokens", "--format", "csv"))).Stdout, StringComparison.Ordinal);

        var first = NewClient();
        await MustAsync(LxcAsAsync(first, "remote", "add", "b2", token));
        Assert.Equal($"{_prefix}e", (await MustAsync(LxcAsAsync(first, "list", "b2:", "--format", "csv", "-c", "n"))).Stdout.Trim());
        var trust = (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout.Trim();
        Assert.StartsWith("client,t1,", trust, StringComparison.Ordinal);
        Assert.Equal("", (await MustAsync(_berthd.LxcAsync("config", "trust", "list-tokens", "--format", "csv"))).Stdout.Trim());

        var second = NewClient();
        var reused = await LxcAsAsync(second, "remote", "add", "b3", token);
        Assert.NotEqual(0, reused.ExitCode);
        Assert.Equal(trust, (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout.Trim());

        await MustAsync(_berthd.LxcAsync("config", "trust", "add", "--name", "t2"));
        Assert.Contains("t2,", (await MustAsync(_berthd.LxcAsync("config", "trust", "list-tokens", "--format", "csv"))).Stdout, StringComparison.Ordinal);
        await MustAsync(_berthd.LxcAsync("config", "trust", "revoke-token", "t2"));
        Assert.Equal("", (await MustAsync(_berthd.LxcAsync("config", "trust", "list-tokens", "--format", "csv"))).Stdout.Trim());

        var fingerprint = trust.Split(',')[3];
        await MustAsync(_berthd.LxcAsync("config", "trust", "remove", fingerprint));
        Assert.Equal("", (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout.Trim());
        Assert.NotEqual(0, (await LxcAsAsync(first, "list", "b2:")).ExitCode);
    }

    [Fact]
    public async Task Pylxd_ClientCertificate_AuthenticatesWithPassword_AndListsInstances()
    {
        await MustAsync(_berthd.LxcAsync("init", "--empty", _prefix + "p"));
        var dir = NewClient();
        await MustAsync(ProcessRunner.RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes",
            "-keyout", Path.Combine(dir, "py.key"), "-out", Path.Combine(dir, "py.crt"), "-days", "2", "-subj", "/CN=pyclient"]));
        var script = $$"""
            import os, warnings
            # requests lets these variables override verify=False; the server certificate is self-signed.
            for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
                os.environ.pop(k, None)
            warnings.filterwarnings("ignore")
            import pylxd
            c = pylxd.Client(endpoint="{{Url}}", cert=("{{dir}}/py.crt", "{{dir}}/py.key"), verify=False)
            print("before", c.trusted)
            try:
                c.authenticate("wrong")
                print("wrong accepted")
            except pylxd.exceptions.LXDAPIException as e:
                print("wrong refused")
            c.authenticate("{{Password}}")
            print("after", c.trusted)
            print("names", ",".join(i.name for i in c.containers.all()))
            print("certs", ",".join(x.fingerprint for x in c.certificates.all()))
            """;
        var result = await MustAsync(_berthd.PythonAsync(script));
        var fingerprint = Fingerprint(Path.Combine(dir, "py.crt"));
        Assert.Equal($"before False\nwrong refused\nafter True\nnames {_prefix}p\ncerts {fingerprint}\n", result.Stdout);
    }

    [Fact]
    public async Task Berth_RemoteAddWithPasswordAndToken_ListRenameRemove()
    {
        await MustAsync(_berthd.LxcAsync("init", "--empty", _prefix + "r"));
        var client = NewClient();

        var wrong = await BerthAsAsync(client, "remote", "add", "b", Url, "--password", "wrong", "--accept-certificate");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("not authorized", wrong.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await _berthd.LxcAsync("config", "trust", "list", "--format", "csv")).Stdout.Trim());
        Assert.DoesNotContain("b,", (await MustAsync(BerthAsAsync(client, "remote", "list", "--format", "csv"))).Stdout, StringComparison.Ordinal);

        // Without --accept-certificate the fingerprint is asked for; "n" refuses the server.
        var refused = await ProcessRunner.RunAsync(Path.Combine(_berthd.Bin, "berth"), ["remote", "add", "b", Url, "--password", Password], ClientEnv(client), "n\n");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Certificate fingerprint: " + Fingerprint(Path.Combine(_berthd.Dir, "server.crt")), refused.Stdout, StringComparison.Ordinal);

        await MustAsync(BerthAsAsync(client, "remote", "add", "b", Url, "--password", Password, "--accept-certificate"));
        Assert.Contains($"b,{Url},lxd,tls,NO,NO,NO", (await MustAsync(BerthAsAsync(client, "remote", "list", "--format", "csv"))).Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(client, "servercerts", "b.crt")));
        Assert.Equal($"{_prefix}r", FirstColumn((await MustAsync(BerthAsAsync(client, "list", "b:", "--format", "csv"))).Stdout));
        var trust = (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout.Trim();
        Assert.Contains(Fingerprint(Path.Combine(client, "client.crt"))[..12], trust, StringComparison.Ordinal);

        await MustAsync(BerthAsAsync(client, "remote", "rename", "b", "bb"));
        await MustAsync(BerthAsAsync(client, "remote", "switch", "bb"));
        Assert.Equal("bb", (await MustAsync(BerthAsAsync(client, "remote", "get-default"))).Stdout.Trim());
        Assert.Equal($"{_prefix}r", FirstColumn((await MustAsync(BerthAsAsync(client, "list", "--format", "csv"))).Stdout));
        Assert.NotEqual(0, (await BerthAsAsync(client, "remote", "remove", "bb")).ExitCode); // the default
        await MustAsync(BerthAsAsync(client, "remote", "switch", "local"));
        await MustAsync(BerthAsAsync(client, "remote", "remove", "bb"));
        Assert.False(File.Exists(Path.Combine(client, "servercerts", "bb.crt")));
        var remaining = (await MustAsync(BerthAsAsync(client, "remote", "list", "--format", "csv"))).Stdout;
        Assert.DoesNotContain("bb,", remaining, StringComparison.Ordinal);
        Assert.Contains("local (current),unix://,lxd,file access,NO,YES,NO\n", remaining, StringComparison.Ordinal);

        // A token names the server's addresses and fingerprint: no flags needed, and it works once.
        var token = (await MustAsync(_berthd.LxcAsync("config", "trust", "add", "--name", "bt"))).Stdout.Trim().Split('\n')[^1].Trim();
        var tokenClient = NewClient();
        await MustAsync(BerthAsAsync(tokenClient, "remote", "add", "t", token));
        Assert.Equal($"{_prefix}r", FirstColumn((await MustAsync(BerthAsAsync(tokenClient, "list", "t:", "--format", "csv"))).Stdout));
        Assert.NotEqual(0, (await BerthAsAsync(NewClient(), "remote", "add", "t", token)).ExitCode);
        Assert.Contains("client,bt,", (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout, StringComparison.Ordinal);
    }

    private Task<ProcessResult> BerthAsAsync(string clientDir, params string[] args) =>
        ProcessRunner.RunAsync(Path.Combine(_berthd.Bin, "berth"), args, ClientEnv(clientDir), timeout: TimeSpan.FromSeconds(60));

    private Dictionary<string, string> ClientEnv(string clientDir) => new(_berthd.Env)
    {
        ["LXD_CONF"] = clientDir,
        ["BERTH_CONF"] = clientDir,
        ["HOME"] = clientDir,
    };

    private string NewClient()
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-https-client-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        _clientDirs.Add(dir);
        return dir;
    }

    private Task<ProcessResult> LxcAsAsync(string clientDir, params string[] args) =>
        ProcessRunner.RunAsync(SystemRequirements.Tool("lxc"), args, ClientEnv(clientDir), timeout: TimeSpan.FromSeconds(60));

    private HttpClient UntrustedClient() => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };

    private static string FirstColumn(string csv) => string.Join('\n', csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')[0]));

    private static string Metadata(string envelope) =>
        JsonDocument.Parse(envelope).RootElement.GetProperty("metadata").GetRawText();

    private static string Fingerprint(string pemPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pemPath));
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    private static async Task<ProcessResult> MustAsync(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
