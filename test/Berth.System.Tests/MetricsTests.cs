using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.System.Tests;

/// <summary>
/// <c>/1.0/metrics</c> as Prometheus scrapes LXD: running containers' memory, CPU, filesystem, network and process
/// samples agree with what lxc and the host show; over HTTPS only trusted and "metrics" certificates (added with
/// Debian's <c>lxc config trust add --type metrics</c>) get them, unless core.metrics_authentication is false.
/// </summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly string _prefix = "m" + Guid.NewGuid().ToString("N")[..5];
    private readonly string _certDir = Path.Combine(Path.GetTempPath(), "berth-metrics-cert-" + Guid.NewGuid().ToString("N")[..8]);
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        await MustAsync(_berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox"));
    }

    public async ValueTask DisposeAsync()
    {
        await _berthd.DisposeAsync();
        if (Directory.Exists(_certDir))
        {
            Directory.Delete(_certDir, recursive: true);
        }
    }

    [Fact]
    public async Task UnixSocket_RunningContainer_SamplesMatchLxcAndHost_StoppedOneAbsent()
    {
        var running = _prefix + "-r";
        var stopped = _prefix + "-s";
        await MustAsync(_berthd.LxcAsync("launch", "busybox", running, "-c", "limits.memory=128MB"));
        await MustAsync(_berthd.LxcAsync("init", "busybox", stopped));

        using var client = UnixClient();
        using var response = await client.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        var labels = $"name=\"{running}\",project=\"default\",type=\"container\"";
        Assert.Contains($"lxd_memory_MemTotal_bytes{{{labels}}} 1.28e+08\n", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_cpu_seconds_total{{cpu=\"0\",mode=\"user\",{labels}}} ", text, StringComparison.Ordinal);
        Assert.Contains($"lxd_network_receive_bytes_total{{device=\"lo\",{labels}}} ", text, StringComparison.Ordinal);
        Assert.DoesNotContain(stopped, text, StringComparison.Ordinal);

        // The process count is the one lxc info shows (busybox's init and shell are idle, so it holds still).
        var info = (await MustAsync(_berthd.LxcAsync("info", running))).Stdout;
        var processes = info.Split('\n').Single(l => l.Trim().StartsWith("Processes:", StringComparison.Ordinal)).Split(':')[1].Trim();
        Assert.Contains($"lxd_procs_total{{{labels}}} {processes}\n", text, StringComparison.Ordinal);

        // The root disk's filesystem is the one the host's df shows for the container's volume.
        var volume = Path.Combine(_berthd.Dir, "storage-pools", "default", "containers", running);
        var size = (await MustAsync(ProcessRunner.RunAsync("df", ["-B1", "--output=size", volume]))).Stdout.Split('\n')[1].Trim();
        var fsLine = text.Split('\n').Single(l => l.StartsWith("lxd_filesystem_size_bytes{", StringComparison.Ordinal) && l.Contains($"name=\"{running}\"", StringComparison.Ordinal));
        Assert.Contains("mountpoint=\"/\"", fsLine, StringComparison.Ordinal);
        Assert.Equal(double.Parse(size, global::System.Globalization.CultureInfo.InvariantCulture), double.Parse(fsLine.Split(' ')[1], global::System.Globalization.CultureInfo.InvariantCulture));

        using var other = await client.GetAsync("/1.0/metrics?project=nope", TestContext.Current.CancellationToken);
        Assert.Equal("# EOF\n", await other.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        await MustAsync(_berthd.LxcAsync("delete", "--force", running));
        await MustAsync(_berthd.LxcAsync("delete", stopped));
    }

    [Fact]
    public async Task Https_OnlyTrustedOrMetricsCertificates_UnlessAuthenticationOff()
    {
        var port = TestNetwork.FreePort();
        await MustAsync(_berthd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{port}"));
        var url = new Uri($"https://127.0.0.1:{port}");

        using (var untrusted = HttpsClient(url, null))
        {
            using var denied = await untrusted.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("\"error_code\":403", await denied.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        using var certificate = MetricsCertificate();
        await MustAsync(_berthd.LxcAsync("config", "trust", "add", "--type", "metrics", "--name", _prefix, Path.Combine(_certDir, "metrics.crt")));
        Assert.Contains($"metrics,{_prefix},", (await MustAsync(_berthd.LxcAsync("config", "trust", "list", "--format", "csv"))).Stdout, StringComparison.Ordinal);
        using (var scraper = HttpsClient(url, certificate))
        {
            using var metrics = await scraper.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.EndsWith("# EOF\n", await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

            // A metrics certificate reads metrics only.
            using var instances = await scraper.GetAsync("/1.0/instances", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, instances.StatusCode);
        }

        await MustAsync(_berthd.LxcAsync("config", "set", "core.metrics_authentication", "false"));
        using (var anyone = HttpsClient(url, null))
        {
            using var open = await anyone.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            using var instances = await anyone.GetAsync("/1.0/instances", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, instances.StatusCode);
        }

        await MustAsync(_berthd.LxcAsync("config", "unset", "core.metrics_authentication"));
        await MustAsync(_berthd.LxcAsync("config", "unset", "core.https_address"));
    }

    [Fact]
    public async Task MetricsAddress_OwnListener_ServesOnlyMetrics()
    {
        var port = TestNetwork.FreePort();
        await MustAsync(_berthd.LxcAsync("config", "set", "core.metrics_address", $"127.0.0.1:{port}"));
        var url = new Uri($"https://127.0.0.1:{port}");
        using var certificate = MetricsCertificate();
        await MustAsync(_berthd.LxcAsync("config", "trust", "add", "--type", "metrics", Path.Combine(_certDir, "metrics.crt")));

        using (var scraper = HttpsClient(url, certificate))
        {
            using var metrics = await scraper.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.EndsWith("# EOF\n", await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            using var root = await scraper.GetAsync("/1.0", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);

            // As LXD's metrics listener: nothing else is there.
            using var instances = await scraper.GetAsync("/1.0/instances", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, instances.StatusCode);
        }

        using (var untrusted = HttpsClient(url, null))
        {
            using var denied = await untrusted.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        // The main API's port cannot be the metrics one, and a taken port is refused before anything changes.
        var same = await _berthd.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{port}");
        Assert.NotEqual(0, same.ExitCode);
        Assert.Contains("same port", same.Stderr, StringComparison.Ordinal);
        using (var taken = new TcpListener(IPAddress.Loopback, 0))
        {
            taken.Start();
            var busy = await _berthd.LxcAsync("config", "set", "core.metrics_address", "127.0.0.1:" + ((IPEndPoint)taken.LocalEndpoint).Port);
            Assert.NotEqual(0, busy.ExitCode);
            Assert.Contains("Cannot listen on metrics socket", busy.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal($"127.0.0.1:{port}", (await MustAsync(_berthd.LxcAsync("config", "get", "core.metrics_address"))).Stdout.Trim());
        await MustAsync(_berthd.LxcAsync("config", "unset", "core.metrics_address"));
        using var gone = HttpsClient(url, certificate);
        await Assert.ThrowsAsync<HttpRequestException>(() => gone.GetAsync("/1.0/metrics", TestContext.Current.CancellationToken));
    }

    /// <summary>A self-signed client certificate, written as PEM for lxc and kept with its key for the HTTPS client.</summary>
    private X509Certificate2 MetricsCertificate()
    {
        Directory.CreateDirectory(_certDir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=prometheus", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(_certDir, "metrics.crt"), created.ExportCertificatePem());
        // Through PKCS#12 so the key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private HttpClient UnixClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_berthd.Socket), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://berthd"), Timeout = TimeSpan.FromSeconds(30) };

    private static HttpClient HttpsClient(Uri url, X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        return new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task<ProcessResult> MustAsync(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
