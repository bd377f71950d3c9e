using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Hooks;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Notifications;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// Events in and out on the embedded backend, through a real server over HTTP: a signed GitHub push
/// to its run started, against the same run started by the API; and a run-started notification
/// reaching a webhook receiver, against the run's first step (one activity) finishing.
/// </summary>
public static class EventBenchmark
{
    const string Secret = "bench-secret";

    public static async Task RunAsync(int repeat)
    {
        using var repo = new GitRepository();
        repo.Commit("workflows", ("workflows/on-push.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: on-push}
            spec:
              params: [{name: commit, default: none}]
              triggers:
                - webhook: {hook: github, events: [push], params: {commit: body.after}}
              notifications:
                - {on: [run-started], to: [receiver]}
              tasks:
                - {name: first, uses: log, with: {message: "{{params.commit}}"}}
            """));
        var receiver = new NotificationReceiver();
        await receiver.InitializeAsync();
        try
        {
            await MeasureAsync(repo, receiver, repeat);
        }
        finally
        {
            await receiver.DisposeAsync();
        }
    }

    static async Task MeasureAsync(GitRepository repo, NotificationReceiver receiver, int repeat)
    {
        await using GitOpsServer server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Engine = new EngineHostOptions
                {
                    Notifications = new NotificationOptions { Channels = new Dictionary<string, ChannelSpec> { ["receiver"] = new() { Type = "webhook", Url = $"{receiver.BaseUrl}/webhook/bench" } } },
                },
                Workflows = new WorkflowRepositoryOptions { Repository = repo.Path },
                ApiKeys = [new ApiKeyEntry { User = "olga", Role = "operator", Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("olga-key"))) }],
                Api = new ApiOptions { Hooks = new Dictionary<string, HookSpec> { ["github"] = new() { Type = "github", Secret = Secret } } },
                GitPollInterval = TimeSpan.Zero,
            },
            NullLoggerFactory.Instance);
        using var http = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "olga-key");

        var hookToRunning = new List<double>();
        var apiToRunning = new List<double>();
        var notified = new List<double>();
        var firstStep = new List<double>();
        for (int round = 0; round <= repeat; round++)
        {
            // The webhook: from the POST until the run's orchestration is running.
            byte[] body = JsonSerializer.SerializeToUtf8Bytes(new { @ref = "refs/heads/main", after = repo.Head, repository = new { full_name = "acme/platform" } });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = new ByteArrayContent(body) };
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            request.Headers.Add("X-Hub-Signature-256", HmacSignature.Sign(body, Secret));
            int before = receiver.Messages.Count;
            var watch = Stopwatch.StartNew();
            HttpResponseMessage response = await http.SendAsync(request);
            string hookRun = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("runs")[0].GetProperty("runId").GetString()!;
            double running = await UntilRunning(server.Client, hookRun, watch);
            double step = await UntilFirstStep(server, hookRun, watch);
            while (receiver.Messages.Count == before)
            {
                await Task.Delay(1);
            }

            double delivered = watch.Elapsed.TotalSeconds;

            // The baseline: the same workflow started by the API.
            watch.Restart();
            HttpResponseMessage started = await http.PostAsJsonAsync("/api/workflows/on-push/runs", new { });
            string apiRun = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            double apiRunning = await UntilRunning(server.Client, apiRun, watch);
            if (round > 0)
            {
                hookToRunning.Add(running);
                apiToRunning.Add(apiRunning);
                notified.Add(delivered);
                firstStep.Add(step);
            }
        }

        Console.WriteLine("| measure | seconds (median) | baseline | seconds (median) | ratio |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| signed GitHub push POSTed to its run running | {Median(hookToRunning):0.000} | the same run started by POST /api/workflows/on-push/runs | {Median(apiToRunning):0.000} | {Median(hookToRunning) / Median(apiToRunning):0.00}× |");
        Console.WriteLine($"| webhook POSTed to its run-started notification received | {Median(notified):0.000} | webhook POSTed to the run's first step (one activity) done | {Median(firstStep):0.000} | {Median(notified) / Median(firstStep):0.00}× |");
    }

    static async Task<double> UntilRunning(DurableTaskClient client, string runId, Stopwatch watch)
    {
        while ((await client.GetInstanceAsync(runId))?.RuntimeStatus is not OrchestrationRuntimeStatus.Running and not OrchestrationRuntimeStatus.Completed)
        {
            await Task.Delay(1);
        }

        return watch.Elapsed.TotalSeconds;
    }

    static async Task<double> UntilFirstStep(GitOpsServer server, string runId, Stopwatch watch)
    {
        while ((await server.Runs.GetAsync(runId))?.Nodes.FirstOrDefault(n => n.Name == "first")?.Phase != Core.Model.NodePhase.Succeeded)
        {
            await Task.Delay(1);
        }

        return watch.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
