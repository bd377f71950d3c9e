using k8s;
using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// <c>job</c> and <c>script</c> steps run by the engine against the API fixture, whose Job
/// controller plays the scheduler and kubelet as each test's plan says: exit codes, logs,
/// termination messages, pull errors, unschedulable pods, deadlines.
/// </summary>
public sealed class JobStepTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-jobs-").FullName;
    EngineHost engine = null!;
    JobController jobs = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        jobs = new JobController(cluster);
        engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) } });
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await jobs.DisposeAsync();
        await cluster.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    static string Workflow(string tasks) => $"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {"{"}name: jobs{"}"}
        spec:
          tasks:
        {tasks}
        """;

    static NodeStatus Node(RunStatus status, string name) => status.Nodes.Single(n => n.Name == name);

    static string Describe(RunStatus status) => string.Join("\n", status.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}"));

    int JobsCreated => cluster.WriteLog.Count(w => w.StartsWith("POST /apis/batch/v1/namespaces/", StringComparison.Ordinal) && w.EndsWith("/jobs", StringComparison.Ordinal));

    Task<PodPlan> RunScriptHere(V1Job job) => ScriptPods.RunHereAsync(cluster, job);

    [Fact]
    public async Task A_job_and_a_python_script_run_in_order_and_outputs_flow_between_them()
    {
        jobs.Plan = job => job.Metadata.Labels["gitops.orchestrations/node"] == "build"
            ? Task.FromResult(new PodPlan { Log = "{\"version\": \"1.4.2\", \"digest\": \"sha256:abc\"}\n" })
            : RunScriptHere(job);
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: build
                  uses: job
                  with:
                    image: registry.local/builder:1
                    command: [make, release]
                    outputs: [version]
                - name: announce
                  uses: script
                  depends: build
                  with:
                    image: python:3.13-alpine
                    command: [python3]
                    env: {VERSION: "{{tasks.build.outputs.version}}"}
                    source: |
                      import json, os
                      print(json.dumps({"released": os.environ["VERSION"], "ok": True}))
            """));

        Assert.True(status.Phase == WorkflowPhase.Succeeded, Describe(status));
        NodeStatus build = Node(status, "build");
        Assert.Equal("1.4.2", build.Outputs["version"].GetString());
        Assert.Equal(0, build.Outputs["exitCode"].GetInt32());
        Assert.Equal("sha256:abc", build.Outputs["json"].GetProperty("digest").GetString());
        NodeStatus announce = Node(status, "announce");
        Assert.Equal("{\"released\": \"1.4.2\", \"ok\": true}", announce.Outputs["result"].GetString());
        Assert.Equal(2, JobsCreated);
        Assert.Equal(2, jobs.PodsStarted);

        // Each Job is the attempt's: non-root, never retried in place, collected after its TTL.
        V1Job created = await Read("default", name => name.StartsWith("build-", StringComparison.Ordinal));
        Assert.Equal(0, created.Spec.BackoffLimit);
        Assert.True(created.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.Equal(3600, created.Spec.TtlSecondsAfterFinished);
    }

    async Task<V1Job> Read(string ns, Func<string, bool> name)
    {
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = cluster.Url });
        return (await client.BatchV1.ListNamespacedJobAsync(ns)).Items.Single(j => name(j.Metadata.Name));
    }

    [Fact]
    public async Task A_non_zero_exit_fails_the_step_with_the_end_of_its_log_and_a_retry_runs_a_new_job()
    {
        int attempt = 0;
        jobs.Plan = _ => Task.FromResult(Interlocked.Increment(ref attempt) == 1
            ? new PodPlan { ExitCode = 3, Log = string.Concat(Enumerable.Range(1, 40).Select(i => $"line {i}\n")) + "error: migration 0042 failed\n" }
            : new PodPlan { Log = "migrated\n" });
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: migrate
                  uses: job
                  retry: {limit: 1}
                  with: {image: registry.local/migrate:7, logTailBytes: 64}
            """));

        Assert.True(status.Phase == WorkflowPhase.Succeeded, Describe(status));
        Assert.Equal(2, Node(status, "migrate").Attempts);
        Assert.Equal(2, JobsCreated);
        Assert.Equal("migrated", Node(status, "migrate").Outputs["result"].GetString());

        jobs.Plan = _ => Task.FromResult(new PodPlan { ExitCode = 3, Log = string.Concat(Enumerable.Range(1, 40).Select(i => $"line {i}\n")) + "error: migration 0042 failed\n" });
        RunStatus failed = await engine.Runs.RunToEndAsync(Workflow("""
                - name: migrate
                  uses: job
                  with: {image: registry.local/migrate:7, logTailBytes: 64}
            """));
        NodeStatus node = Node(failed, "migrate");
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("exited with code 3", node.Message);
        Assert.Contains("error: migration 0042 failed", node.Message);
        Assert.Equal(3, node.Outputs["exitCode"].GetInt32());
        string log = node.Outputs["log"].GetString()!;
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(log) <= 64, log);
        Assert.StartsWith("line ", log);
        Assert.EndsWith("error: migration 0042 failed\n", log);
    }

    [Fact]
    public async Task A_result_written_to_a_file_comes_back_through_the_termination_message()
    {
        jobs.Plan = job => Task.FromResult(new PodPlan
        {
            Log = "lots of build noise\n",
            TerminationMessage = job.Spec.Template.Spec.Containers[0].TerminationMessagePath == "/tmp/result.json" ? "{\"image\": \"registry.local/app@sha256:1\"}" : null,
        });
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: build
                  uses: job
                  with: {image: registry.local/builder:1, result: {path: /tmp/result.json}, outputs: [image]}
            """));

        Assert.True(status.Phase == WorkflowPhase.Succeeded, Describe(status));
        Assert.Equal("registry.local/app@sha256:1", Node(status, "build").Outputs["image"].GetString());
        Assert.Equal("lots of build noise\n", Node(status, "build").Outputs["log"].GetString());
    }

    [Theory]
    [InlineData("ImagePullBackOff", false, "ImagePullBackOff")]
    [InlineData(null, true, "Unschedulable")]
    public async Task A_pod_that_never_starts_errors_with_its_reason_when_the_deadline_passes(string? waiting, bool unschedulable, string reason)
    {
        jobs.Plan = _ => Task.FromResult(new PodPlan { WaitingReason = waiting, WaitingMessage = "Back-off pulling image \"registry.local/nope:1\"", Unschedulable = unschedulable });
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: smoke
                  uses: job
                  with: {image: registry.local/nope:1, activeDeadlineSeconds: 2, pollInterval: 200ms}
            """));

        NodeStatus node = Node(status, "smoke");
        Assert.Equal(NodePhase.Errored, node.Phase);
        Assert.Contains("DeadlineExceeded", node.Message);
        Assert.Contains(reason, node.Message);

        // The cluster's deadline ended it, not the engine's own bound a grace period later.
        Assert.True(node.FinishedAt - node.StartedAt < Core.Jobs.JobDefaults.DeadlineGrace, $"{node.StartedAt:O} to {node.FinishedAt:O}");
    }

    [Fact]
    public async Task A_pod_that_can_never_start_errors_at_once_and_its_job_is_deleted()
    {
        jobs.Plan = _ => Task.FromResult(new PodPlan { WaitingReason = "InvalidImageName", WaitingMessage = "couldn't parse image name \"UPPER:case\"" });
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: smoke
                  uses: job
                  with: {image: "UPPER:case", pollInterval: 200ms}
            """));

        NodeStatus node = Node(status, "smoke");
        Assert.Equal(NodePhase.Errored, node.Phase);
        Assert.Contains("InvalidImageName", node.Message);
        Assert.Equal(0, cluster.Count("Job"));
        Assert.Equal(0, cluster.Count("Pod"));
    }

    [Fact]
    public async Task Stopping_the_run_deletes_the_running_job_and_its_pods()
    {
        var never = new TaskCompletionSource();
        jobs.Plan = _ => Task.FromResult(new PodPlan { Release = never.Task });
        string runId = await engine.Runs.StartAsync(WorkflowSnapshots.Load(Workflow("""
                - name: soak
                  uses: job
                  with: {image: registry.local/soak:1, pollInterval: 200ms}
            """)), null, "tester");
        await Eventually.True(() => cluster.Count("Pod") == 1, "the job's pod to run");

        await engine.Runs.StopAsync(runId, "tester", "enough");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        RunStatus status = await engine.Runs.WatchAsync(runId, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);

        Assert.Equal(WorkflowPhase.Terminated, status.Phase);
        Assert.Contains("deleted Job default/soak-", Node(status, "soak").Message);
        Assert.Equal(0, cluster.Count("Job"));
        Assert.Equal(0, cluster.Count("Pod"));
        Assert.Contains(cluster.WriteLog, w => w.StartsWith("DELETE /apis/batch/v1/namespaces/default/jobs/soak-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_step_timeout_deletes_its_job_before_the_node_fails()
    {
        var never = new TaskCompletionSource();
        jobs.Plan = _ => Task.FromResult(new PodPlan { Release = never.Task });
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: soak
                  uses: job
                  timeout: 2s
                  with: {image: registry.local/soak:1, pollInterval: 200ms}
            """));

        NodeStatus node = Node(status, "soak");
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("timed out after 2s", node.Message);
        Assert.Contains("deleted Job default/soak-", node.Message);
        Assert.Equal(0, cluster.Count("Job"));
        Assert.Equal(0, cluster.Count("Pod"));
    }

    [Fact]
    public async Task A_script_source_is_mounted_from_a_config_map_the_job_owns()
    {
        jobs.Plan = RunScriptHere;
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: hello
                  uses: script
                  with:
                    image: alpine:3.20
                    source: |
                      echo "from $0"
                      exit 0
            """));

        Assert.True(status.Phase == WorkflowPhase.Succeeded, Describe(status));
        Assert.EndsWith("/source", Node(status, "hello").Outputs["result"].GetString());
        JsonElement? owners = JsonDocument.Parse(cluster.Get("v1", "ConfigMap", "default", (await Read("default", _ => true)).Metadata.Name)!["metadata"]!["ownerReferences"]!.ToJsonString()).RootElement;
        Assert.Equal("Job", owners.Value[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Creating_an_attempts_job_again_adopts_it_and_a_same_named_job_of_anyone_else_is_left_alone()
    {
        using var client = Kubernetes.ClusterClient.Connect(cluster.Clusters(work).Resolve(null));
        var clusterJobs = new Kubernetes.Jobs.ClusterJobs(client);
        System.Text.Json.Nodes.JsonObject Job(string key) => Core.Jobs.JobManifest.Build(
            Core.Jobs.JobSettings.Read(JsonDocument.Parse("""{"image": "x"}""").RootElement), "build-0123456789", Core.Jobs.JobNames.Labels("r", "build"), key).Job;

        Assert.False(await clusterJobs.CreateAsync(Job("r/build/1"), null, "r/build/1", CancellationToken.None));
        Assert.True(await clusterJobs.CreateAsync(Job("r/build/1"), null, "r/build/1", CancellationToken.None));
        Assert.Equal(1, JobsCreated);

        var refused = await Assert.ThrowsAsync<Kubernetes.Jobs.JobNotOursException>(() => clusterJobs.CreateAsync(Job("someone/else/1"), null, "someone/else/1", CancellationToken.None));
        Assert.Contains("was not created by this step", refused.Message);
        Assert.Equal(1, cluster.Count("Job"));
    }
}
