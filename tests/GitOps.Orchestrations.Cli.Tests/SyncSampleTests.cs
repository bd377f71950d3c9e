using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>The sample <c>workflows/sync-shop.yaml</c>, run by the real CLI against the API fixture, from this repository's HEAD.</summary>
public sealed class SyncSampleTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-sync-sample-").FullName;
    DeploymentController controller = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        controller = new DeploymentController(cluster);
    }

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        await cluster.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task The_sample_diffs_syncs_waits_for_health_and_finds_no_drift()
    {
        string kubeconfig = cluster.WriteKubeconfig(work);
        var environment = new Dictionary<string, string> { ["GITOPS_CACHE_DIR"] = Path.Combine(work, "cache") };
        CliResult result = await Gitops.RunAsync(["run", "workflows/sync-shop.yaml", "--cluster", $"default={kubeconfig}", "--output", "json"], environment);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("\"phase\": \"Succeeded\"", result.Stdout);
        Assert.Contains("in sync", result.Stdout);
        Assert.Contains("--- /dev/null", result.Stdout);
        Assert.Contains("+++ Deployment.apps/shop/web", result.Stdout);
        Assert.Equal(3L, (long?)cluster.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]);
        Assert.Equal("prod", (string?)cluster.Get("v1", "Service", "shop", "web")!["metadata"]!["labels"]!["env"]);
        Assert.NotNull(cluster.Get("v1", "ConfigMap", "shop", "gitops-inventory-shop"));
    }
}
