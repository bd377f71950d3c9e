using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Prometheus;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// A real Prometheus (Debian's package; tests/run installs it when missing) on a loopback port,
/// scraping every second an in-process app that counts requests with prometheus-net. The test sets
/// each service's traffic and error ratio; a background loop turns them into counter increments, so
/// <c>rate()</c> queries see real, moving series.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    readonly Process process;
    readonly WebApplication app;
    readonly string folder;
    readonly CancellationTokenSource stop = new();
    readonly Task traffic;
    readonly Dictionary<string, (double PerSecond, double ErrorRatio)> services = new(StringComparer.Ordinal);

    PrometheusServer(Process process, WebApplication app, string folder, string url, Counter requests)
    {
        this.process = process;
        this.app = app;
        this.folder = folder;
        Url = url;
        traffic = Task.Run(() => GenerateAsync(requests));
    }

    public string Url { get; }

    /// <summary>Requests per second for a service, and the share of them that answer 500.</summary>
    public void SetTraffic(string service, double perSecond, double errorRatio)
    {
        lock (services)
        {
            services[service] = (perSecond, errorRatio);
        }
    }

    public static async Task<PrometheusServer> StartAsync()
    {
        string folder = Directory.CreateTempSubdirectory("gitops-prometheus-").FullName;
        CollectorRegistry registry = Metrics.NewCustomRegistry();
        Counter requests = Metrics.WithCustomRegistry(registry).CreateCounter("http_requests_total", "Requests served, by service and status code.", "service", "code");

        (WebApplication app, string appUrl) = await LoopbackApp.StartAsync(web => web.MapMetrics("/metrics", registry));
        string target = new Uri(appUrl).Authority;

        int port = Loopback.FreePort();
        File.WriteAllText(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: app
                static_configs:
                  - targets: ["{target}"]
            """);
        var start = new ProcessStartInfo(Binary,
        [
            $"--config.file={Path.Combine(folder, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        _ = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        string url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient();
        for (int i = 0; i < 200; i++)
        {
            try
            {
                if ((await http.GetAsync($"{url}/-/ready")).IsSuccessStatusCode)
                {
                    return new PrometheusServer(process, app, folder, url, requests);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("prometheus did not become ready");
    }

    /// <summary>Starts Prometheus with these services already flowing and scraped a few times.</summary>
    public static async Task<PrometheusServer> StartWithTrafficAsync(params (string Service, double PerSecond, double ErrorRatio)[] services)
    {
        PrometheusServer server = await StartAsync();
        foreach ((string service, double perSecond, double errorRatio) in services)
        {
            server.SetTraffic(service, perSecond, errorRatio);
        }

        await Task.WhenAll(services.Select(s => server.WaitForSamplesAsync(s.Service)));
        return server;
    }

    /// <summary>Waits until Prometheus has scraped a few times, so rate() over a short window has data.</summary>
    public async Task WaitForSamplesAsync(string service, int samples = 4)
    {
        using var http = new HttpClient();
        string query = Uri.EscapeDataString($"count_over_time(http_requests_total{{service=\"{service}\"}}[1m])");
        for (int i = 0; i < 300; i++)
        {
            string body = await http.GetStringAsync($"{Url}/api/v1/query?query={query}");
            IReadOnlyList<double> counts = Core.Analysis.PrometheusResult.Parse(body);
            if (counts.Count > 0 && counts.Min() >= samples)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Prometheus has no {samples} samples of {service} yet");
    }

    async Task GenerateAsync(Counter requests)
    {
        // Fractions carry over from one tick to the next, so 2% errors at 20 requests a tick is 2%, not 0.
        var carry = new Dictionary<string, double>(StringComparer.Ordinal);
        var errorCarry = new Dictionary<string, double>(StringComparer.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            List<(string Service, double PerSecond, double ErrorRatio)> now;
            lock (services)
            {
                now = services.Select(s => (s.Key, s.Value.PerSecond, s.Value.ErrorRatio)).ToList();
            }

            foreach ((string service, double perSecond, double errorRatio) in now)
            {
                double total = perSecond / 10 + carry.GetValueOrDefault(service);
                int whole = (int)total;
                carry[service] = total - whole;
                double failing = whole * errorRatio + errorCarry.GetValueOrDefault(service);
                int errors = (int)failing;
                errorCarry[service] = failing - errors;
                requests.WithLabels(service, "200").Inc(whole - errors);
                requests.WithLabels(service, "500").Inc(errors);
            }

            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await traffic;
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
