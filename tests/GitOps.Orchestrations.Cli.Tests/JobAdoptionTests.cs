using System.Diagnostics;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// A worker is killed with SIGKILL while its step's Job runs, on Azurite. The replacement worker
/// must find the same Job (its name comes from the attempt) and watch it to the end: exactly one
/// Job and one pod ever exist, as the API fixture counts them.
/// </summary>
public sealed class JobAdoptionTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly KubeApiServer cluster = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-adopt-").FullName;
    JobController jobs = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        await cluster.InitializeAsync();
        jobs = new JobController(cluster);
    }

    public async Task DisposeAsync()
    {
        await jobs.DisposeAsync();
        await cluster.DisposeAsync();
        await azurite.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task A_replacement_worker_adopts_the_running_job_and_exactly_one_job_runs()
    {
        var release = new TaskCompletionSource();
        jobs.Plan = _ => Task.FromResult(new PodPlan { Release = release.Task, Log = "{\"migrated\": 42}\n" });
        string file = Path.Combine(work, "migrate.yaml");
        File.WriteAllText(file, """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: migrate}
            spec:
              tasks:
                - name: migrate
                  uses: job
                  with: {image: registry.local/migrate:7, pollInterval: 500ms, outputs: [migrated]}
            """);
        string runId = $"adopt-{Guid.NewGuid():N}";
        string[] args = ["run", file, "--store", azurite.ConnectionString, "--task-hub", "adopttest", "--run-id", runId, "-o", "json"];
        var environment = new Dictionary<string, string>
        {
            ["KUBECONFIG"] = cluster.WriteKubeconfig(work),
            ["GITOPS_AZURE_STORAGE_LEASE_SECONDS"] = "6",
            ["GITOPS_AZURE_STORAGE_VISIBILITY_SECONDS"] = "8",
        };

        using (Process first = Gitops.Start(args, environment))
        {
            first.StandardInput.Close();
            var deadline = Stopwatch.StartNew();
            while (cluster.Count("Pod") == 0)
            {
                if (first.HasExited)
                {
                    Assert.Fail($"the first worker ended early: {await first.StandardError.ReadToEndAsync()}");
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "the job's pod never started");
                await Task.Delay(50);
            }

            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        // The replacement looks at the Job it finds before the Job ends, then the Job ends.
        int readsBefore = cluster.RequestLog.Count(r => r.StartsWith("GET /apis/batch/v1/namespaces/default/jobs/migrate-", StringComparison.Ordinal));
        Task<CliResult> second = Gitops.RunAsync(args, environment, timeout: TimeSpan.FromMinutes(3));
        await Eventually.True(
            () => cluster.RequestLog.Count(r => r.StartsWith("GET /apis/batch/v1/namespaces/default/jobs/migrate-", StringComparison.Ordinal)) > readsBefore,
            "the replacement worker to look at the Job",
            TimeSpan.FromMinutes(2));
        release.SetResult();
        CliResult result = await second;

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Succeeded", json.RootElement.GetProperty("phase").GetString());
        JsonElement node = json.RootElement.GetProperty("nodes").EnumerateArray().Single();
        Assert.Equal(42, node.GetProperty("outputs").GetProperty("migrated").GetInt32());
        Assert.Equal(1, cluster.WriteLog.Count(w => w == "POST /apis/batch/v1/namespaces/default/jobs"));
        Assert.Equal(1, jobs.PodsStarted);
        Assert.Equal(1, cluster.Count("Job"));
    }
}
