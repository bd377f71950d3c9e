using k8s;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// A rollout started on its own, from Git, through a real <c>gitops serve</c>, steered with
/// <c>gitops rollout</c> against the Kubernetes API fixture; and the same rollout run by <c>gitops run</c>.
/// </summary>
public sealed class RolloutCommandTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    readonly KubeApiServer cluster = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-rollout-cli-").FullName;
    DeploymentController controller = null!;
    string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        kubeconfig = cluster.WriteKubeconfig(work);
        controller = new DeploymentController(cluster, TimeSpan.FromMilliseconds(50));
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = "shop" } });
        await client.AppsV1.CreateNamespacedDeploymentAsync(k8s.KubernetesYaml.Deserialize<k8s.Models.V1Deployment>(Apps.Deployment("api", "registry.local/api:1.0", 2, "shop")), "shop");
    }

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    static string Rollout(string steps) => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Rollout
        metadata: {name: api}
        spec:
          target: {name: api, namespace: shop}
          image: "registry.local/api:{{params.version}}"
          progressDeadline: 30s
          strategy:
            canary:
              steps:
        {{{steps}}}
        """;

    string? Image() => (string?)cluster.Get("apps/v1", "Deployment", "shop", "api")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    [Fact]
    public async Task Status_promote_abort_and_retry_steer_a_rollout_through_the_api()
    {
        repo.Commit("rollout", ("workflows/api.yaml", Rollout("""
                    - setWeight: 50
                    - pause: {}
            """)));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path, clusters: new() { ["default"] = kubeconfig });
        using HttpClient olga = server.ClientFor("olga");
        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];

        // A rollout on its own is the one-step workflow rollout-api, started like any workflow.
        string Start(HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>().Result.GetProperty("id").GetString()!;
        string id = Start(await olga.PostAsJsonAsync("/api/workflows/rollout-api/runs", new { @params = new { version = "2.0" } }));
        await Eventually.True(async () => (await Gitops.RunAsync(["rollout", "status", id, .. As("victor")])).Stdout.Contains("Paused", StringComparison.Ordinal), "the rollout to pause");

        CliResult status = await Gitops.RunAsync(["rollout", "status", id, .. As("victor")]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("rollout api (canary) at node rollout: Paused, step 2/2 (pause until promoted), weight 50", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("paused: paused until promoted", status.Stdout, StringComparison.Ordinal);

        CliResult refused = await Gitops.RunAsync(["rollout", "promote", id, .. As("victor")]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("403", refused.Stderr, StringComparison.Ordinal);
        CliResult wrongNode = await Gitops.RunAsync(["rollout", "abort", id, "--node", "nope", .. As("olga")]);
        Assert.Equal(1, wrongNode.ExitCode);
        Assert.Contains("has no rollout at node 'nope' (rollouts: rollout)", wrongNode.Stderr, StringComparison.Ordinal);

        CliResult promoted = await Gitops.RunAsync(["rollout", "promote", id, "--reason", "dashboards green", .. As("olga")]);
        Assert.Equal(0, promoted.ExitCode);
        await Eventually.True(async () => (await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString() == "Succeeded", "the run to succeed");
        Assert.Equal("registry.local/api:2.0", Image());
        CliResult json = await Gitops.RunAsync(["rollout", "status", id, "-o", "json", .. As("victor")]);
        JsonElement events = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("status").GetProperty("events");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("by").GetString() == "olga" && e.GetProperty("what").GetString()!.EndsWith("dashboards green", StringComparison.Ordinal));
        CliResult late = await Gitops.RunAsync(["rollout", "abort", id, .. As("olga")]);
        Assert.Equal(1, late.ExitCode);
        Assert.Contains("already ended Healthy", late.Stderr, StringComparison.Ordinal);

        // Abort, then retry: the retried run starts the rollout again from its first step.
        string second = Start(await olga.PostAsJsonAsync("/api/workflows/rollout-api/runs", new { @params = new { version = "3.0" } }));
        await Eventually.True(async () => (await Gitops.RunAsync(["rollout", "status", second, .. As("victor")])).Stdout.Contains("Paused", StringComparison.Ordinal), "the second rollout to pause");
        Assert.Equal(0, (await Gitops.RunAsync(["rollout", "abort", second, "--reason", "latency", .. As("olga")])).ExitCode);
        await Eventually.True(async () => (await Gitops.RunAsync(["rollout", "status", second, .. As("victor")])).ExitCode == 1, "the rollout to be Degraded");
        Assert.Equal("registry.local/api:2.0", Image());
        CliResult retried = await Gitops.RunAsync(["rollout", "retry", second, .. As("olga")]);
        Assert.Equal(0, retried.ExitCode);
        string third = retried.Stdout.Trim();
        await Eventually.True(async () => (await Gitops.RunAsync(["rollout", "status", third, .. As("victor")])).Stdout.Contains("Paused", StringComparison.Ordinal), "the retried rollout to pause again");
    }

    [Fact]
    public async Task Gitops_run_starts_a_rollout_file_on_its_own_and_asks_for_the_params_it_uses()
    {
        string file = Path.Combine(work, "api.yaml");
        File.WriteAllText(file, Rollout("""
                    - setWeight: 50
                    - pause: {duration: 200ms}
            """));

        CliResult missing = await Gitops.RunAsync(["run", file]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("version", missing.Stderr, StringComparison.Ordinal);

        CliResult run = await Gitops.RunAsync(["run", file, "--param", "version=4.0", "--cluster", $"default={kubeconfig}", "-o", "json"]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        JsonElement status = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("rollout-api", status.GetProperty("workflow").GetString());
        Assert.Equal("Healthy", status.GetProperty("nodes")[0].GetProperty("outputs").GetProperty("phase").GetString());
        Assert.Equal("registry.local/api:4.0", Image());
    }

    [Fact]
    public async Task An_approval_step_listing_a_group_is_completed_from_gitops_run_as_a_member()
    {
        string file = Path.Combine(work, "api.yaml");
        File.WriteAllText(file, Rollout("""
                    - setWeight: 50
                    - approval: {approvers: ["group:release-managers"], timeout: 10m, onTimeout: abort}
            """));

        CliResult run = await Gitops.RunAsync(["run", file, "-p", "version=5.0", "--cluster", $"default={kubeconfig}", "--approve", "rollout", "--as", "rita", "--group", "release-managers", "-o", "json"]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal("Healthy", JsonDocument.Parse(run.Stdout).RootElement.GetProperty("nodes")[0].GetProperty("outputs").GetProperty("phase").GetString());
        Assert.Equal("registry.local/api:5.0", Image());
    }

    [Fact]
    public async Task Rollout_status_says_who_may_decide_its_gate_in_words()
    {
        repo.Commit("rollout", ("workflows/api.yaml", Rollout("""
                    - setWeight: 50
                    - approval: {timeout: 1h}
            """)));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path, clusters: new() { ["default"] = kubeconfig });
        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];
        string id = (await Gitops.RunAsync(["submit", "rollout-api", "-p", "version=6.0", .. As("olga")])).Stdout.Trim();
        CliResult status = null!;
        await Eventually.True(async () => (status = await Gitops.RunAsync(["rollout", "status", id, .. As("victor")])).Stdout.Contains("  ? ", StringComparison.Ordinal), "the rollout to wait at its gate");

        // Once "waits for 1 of []" for a gate open to any approver.
        Assert.Matches($@"  \? rollout waits for any approver until .+, then abort; approve with: gitops approve {id} rollout", status.Stdout);
        Assert.DoesNotContain("[]", status.Stdout, StringComparison.Ordinal);
    }
}
