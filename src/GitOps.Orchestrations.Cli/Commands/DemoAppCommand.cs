using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops demo-app</c>: a service to measure, for trying analysis on one machine. It answers
/// <c>GET /</c> (500 for the given share of requests), counts every answer in
/// <c>http_requests_total{service,code}</c> at <c>GET /metrics</c>, and sends itself steady traffic
/// so that the sample AnalysisTemplate's rate and minimum-sample queries have data within a minute
/// of Prometheus scraping it (deploy/examples/prometheus/prometheus.yml).
/// </summary>
internal static class DemoAppCommand
{
    public static Command Create()
    {
        Option<string> urls = new("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8082" };
        Option<string> service = new("--service") { Description = "The service label its requests are counted under", DefaultValueFactory = _ => "api" };
        Option<double> rate = new("--rate") { Description = "Requests per second it sends itself (0 to 1000)", DefaultValueFactory = _ => 20 };
        Option<double> errors = new("--error-rate") { Description = "The share of requests answered 500, from 0 to 1", DefaultValueFactory = _ => 0.01 };
        Command command = new("demo-app", "Serve a demo service with Prometheus metrics and steady traffic, to try analysis locally") { urls, service, rate, errors };
        command.SetAction(async (parse, cancellationToken) =>
        {
            double perSecond = parse.GetValue(rate), errorRate = parse.GetValue(errors);
            string name = parse.GetValue(service)!;
            if (perSecond is < 0 or > 1000 || errorRate is < 0 or > 1 || double.IsNaN(perSecond) || double.IsNaN(errorRate))
            {
                Console.Error.WriteLine("error: --rate is 0 to 1000 requests per second and --error-rate a share from 0 to 1");
                return ExitCodes.Usage;
            }

            // A label value is written into the exposition text: only what Prometheus' own naming allows.
            if (name.Length is 0 or > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                Console.Error.WriteLine("error: --service is 1 to 63 letters, digits, '-', '_' or '.'");
                return ExitCodes.Usage;
            }

            var counts = new ConcurrentDictionary<int, long>();
            if (await LocalWebApp.StartAsync(parse.GetValue(urls)!, _ => { }, app =>
            {
                app.MapGet("/", () =>
                {
                    int code = Random.Shared.NextDouble() < errorRate ? 500 : 200;
                    counts.AddOrUpdate(code, 1, (_, n) => n + 1);
                    return Results.StatusCode(code);
                });
                app.MapGet("/metrics", () =>
                {
                    var text = new StringBuilder("# HELP http_requests_total Requests served, by service and status code.\n# TYPE http_requests_total counter\n");
                    foreach ((int code, long count) in counts.OrderBy(c => c.Key))
                    {
                        text.Append(CultureInfo.InvariantCulture, $"http_requests_total{{service=\"{name}\",code=\"{code}\"}} {count}\n");
                    }

                    return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
                });
            }, cancellationToken) is not var (app, address))
            {
                return ExitCodes.Usage;
            }

            await using WebApplication running = app;
            Console.Out.WriteLine($"gitops demo-app: listening on {address} as service '{name}', {perSecond} requests/s to itself, {errorRate:P1} answered 500; metrics at {address}/metrics");
            // Ctrl+C or SIGTERM: the web host hears them first and stops; the traffic stops with it.
            using Interruption interruption = Interruption.Listen(cancellationToken);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(interruption.Token, app.Lifetime.ApplicationStopping);
            await SendTrafficAsync(address, perSecond, stopping.Token);
            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Succeeded;
        });
        return command;
    }

    static async Task SendTrafficAsync(string address, double perSecond, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(5) };
        TimeSpan gap = perSecond > 0 ? TimeSpan.FromSeconds(1 / perSecond) : Timeout.InfiniteTimeSpan;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(gap, cancellationToken);
                try
                {
                    using HttpResponseMessage response = await http.GetAsync("/", cancellationToken);
                }
                catch (HttpRequestException)
                {
                    // Stopping: the next turn of the loop sees the cancellation.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop sending, then stop serving.
        }
    }
}
