using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// The dashboard in headless Chromium against an in-process gitops serve (embedded backend, default
/// API options): from navigation to a 1,000-task run page drawn whole, against a 10-task one; and
/// from a node's change in the engine to its new colour on screen, against the same change reaching
/// a plain event-stream client.
/// </summary>
public static class DashboardBenchmark
{
    const string Key = "bench-key";

    // Runs are started by olga: alice, who watches and approves, may not approve a run she started.
    const string StarterKey = "starter-key";

    public static async Task RunAsync(int repeat)
    {
        using var repo = new GitRepository();
        repo.Commit("workflows", ("workflows/wide.yaml", WideWorkflows.Layered("wide", layers: 10, width: 100, finalGate: true)), ("workflows/small.yaml", WideWorkflows.Layered("small", layers: 2, width: 5, finalGate: true)));
        await using GitOpsServer server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Workflows = new WorkflowRepositoryOptions { Repository = repo.Path },
                ApiKeys =
                [
                    new ApiKeyEntry { User = "alice", Role = "approver", Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Key))) },
                    new ApiKeyEntry { User = "olga", Role = "operator", Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(StarterKey))) },
                ],
                GitPollInterval = TimeSpan.Zero,
            },
            NullLoggerFactory.Instance);
        string url = server.Addresses[0];
        using var api = new HttpClient { BaseAddress = new Uri(url) };
        api.DefaultRequestHeaders.Add("X-Api-Key", Key);

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = SystemChromium.ExecutablePath,
            Args = SystemChromium.Args,
        });

        var drawWide = new List<double>();
        var drawSmall = new List<double>();
        var laidWide = new List<double>();
        var laidSmall = new List<double>();
        var liveBrowser = new List<double>();
        var liveStream = new List<double>();
        for (int round = 0; round <= repeat; round++)
        {
            string wide = await StartAtGateAsync(api, "wide");
            string small = await StartAtGateAsync(api, "small");
            (double w, double wLaid) = await FirstDrawAsync(browser, url, wide, 1002);
            (double s, double sLaid) = await FirstDrawAsync(browser, url, small, 12);
            (double browserLatency, double streamLatency) = await LiveChangeAsync(browser, api, url, wide);
            await Eventually.True(async () => (await api.GetFromJsonAsync<JsonElement>($"/api/runs/{small}")).GetProperty("waiting").GetArrayLength() == 1, "small at its gate");
            await api.PostAsJsonAsync($"/api/runs/{small}/approvals/gate", new { decision = "approve" });
            // The first round warms the JIT, the browser's caches and the engine; it is not counted.
            if (round > 0)
            {
                drawWide.Add(w);
                drawSmall.Add(s);
                laidWide.Add(wLaid);
                laidSmall.Add(sLaid);
                liveBrowser.Add(browserLatency);
                liveStream.Add(streamLatency);
            }

            Console.WriteLine($"round {round}: draw 1,002 {w:0.000} s (laid out {wLaid:0.000} s), draw 12 {s:0.000} s (laid out {sLaid:0.000} s), live change: browser {browserLatency:0.000} s, event stream {streamLatency:0.000} s");
        }

        Console.WriteLine();
        Console.WriteLine("| measure | median (s) | baseline | baseline (s) | ratio |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| navigation to a 1,002-node run page drawn | {Median(drawWide):0.000} | the same for a 12-node run | {Median(drawSmall):0.000} | {Median(drawWide) / Median(drawSmall):0.0}× |");
        Console.WriteLine($"| navigation to the 1,002-node page laid out by dagre | {Median(laidWide):0.000} | the same for a 12-node run | {Median(laidSmall):0.000} | {Median(laidWide) / Median(laidSmall):0.0}× |");
        Console.WriteLine($"| node change in the engine to its colour on screen | {Median(liveBrowser):0.000} | the same change reaching an event-stream client | {Median(liveStream):0.000} | {Median(liveBrowser) / Median(liveStream):0.00}× |");
    }

    static async Task<string> StartAtGateAsync(HttpClient api, string workflow)
    {
        using var starter = new HttpClient { BaseAddress = api.BaseAddress };
        starter.DefaultRequestHeaders.Add("X-Api-Key", StarterKey);
        HttpResponseMessage started = await starter.PostAsJsonAsync($"/api/workflows/{workflow}/runs", new { });
        string id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await api.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("waiting").GetArrayLength() == 1, $"{workflow} at its gate");
        return id;
    }

    static async Task<IPage> OpenAsync(IBrowser browser, string url)
    {
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Signed in already, as a returning tab is: the credential the sign-in page would store.
        await context.AddInitScriptAsync($"sessionStorage.setItem('gitops.credential', JSON.stringify({{kind: 'apiKey', value: '{Key}'}}))");
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Seconds from asking for the run page to every node of its DAG being on the page, the gate
    /// coloured as waiting; and to dagre's layout being in place (for a small graph, the same moment).
    /// </summary>
    static async Task<(double Drawn, double LaidOut)> FirstDrawAsync(IBrowser browser, string url, string runId, int nodes)
    {
        IPage page = await OpenAsync(browser, url);
        try
        {
            var watch = Stopwatch.StartNew();
            await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync(
                $"() => document.querySelectorAll('#dag .node').length === {nodes} && document.querySelector(\"#dag [data-node='gate']\")?.classList.contains('waiting')",
                null,
                new PageWaitForFunctionOptions { PollingInterval = 5, Timeout = 60_000 });
            double drawn = watch.Elapsed.TotalSeconds;
            await page.WaitForFunctionAsync("() => document.querySelector('#dag')?.dataset.layout === 'dagre'", null, new PageWaitForFunctionOptions { PollingInterval = 5, Timeout = 60_000 });
            return (drawn, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// Approves the run's gate and measures, from the engine's time of the gate's change (its
    /// finishedAt), when the page painted the gate Succeeded and when an event-stream client
    /// (reading /api/runs/{id}/events as the page does) received it.
    /// </summary>
    static async Task<(double Browser, double Stream)> LiveChangeAsync(IBrowser browser, HttpClient api, string url, string runId)
    {
        IPage page = await OpenAsync(browser, url);
        try
        {
            await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
            await page.WaitForFunctionAsync("() => document.querySelector(\"#dag [data-node='gate']\")?.classList.contains('waiting') && document.querySelector('#stream-state')?.dataset.state === 'open'", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            await page.EvaluateAsync("""
                () => {
                  const gate = document.querySelector("#dag [data-node='gate']");
                  new MutationObserver(() => {
                    if (gate.dataset.phase === 'Succeeded' && !window.paintedAt) requestAnimationFrame(() => { window.paintedAt = Date.now(); });
                  }).observe(gate, { attributes: true, attributeFilter: ['data-phase'] });
                }
                """);

            using var stream = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
            stream.DefaultRequestHeaders.Add("X-Api-Key", Key);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            Task<DateTimeOffset> streamSaw = FirstGateSuccessAsync(stream, runId, cancel.Token);

            (await api.PostAsJsonAsync($"/api/runs/{runId}/approvals/gate", new { decision = "approve" })).EnsureSuccessStatusCode();
            DateTimeOffset received = await streamSaw;
            await page.WaitForFunctionAsync("() => window.paintedAt", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            double paintedAt = await page.EvaluateAsync<double>("() => window.paintedAt");
            DateTimeOffset changed = (await api.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}")).GetProperty("nodes").EnumerateArray()
                .Single(n => n.GetProperty("name").GetString() == "gate").GetProperty("finishedAt").GetDateTimeOffset();
            await cancel.CancelAsync();
            return ((DateTimeOffset.FromUnixTimeMilliseconds((long)paintedAt) - changed).TotalSeconds, (received - changed).TotalSeconds);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    static async Task<DateTimeOffset> FirstGateSuccessAsync(HttpClient client, string runId, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.GetAsync($"/api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is string line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"name\":\"gate\"", StringComparison.Ordinal) && line.Contains("\"phase\":\"Succeeded\"", StringComparison.Ordinal))
            {
                return DateTimeOffset.UtcNow;
            }
        }

        throw new InvalidOperationException("the event stream ended without the gate succeeding");
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
