using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>
/// What every rollout scenario needs, started once per test class: the Kubernetes API fixture with
/// a Deployment controller, a real Prometheus scraping an app whose traffic the tests set, and an
/// engine. Each test works in its own namespace.
/// </summary>
public sealed class RolloutEnvironment : IAsyncLifetime
{
    readonly string work = Directory.CreateTempSubdirectory("gitops-rollout-").FullName;

    public KubeApiServer Cluster { get; } = new();

    public DeploymentController Controller { get; private set; } = null!;

    public PrometheusServer Prometheus { get; private set; } = null!;

    public EngineHost Engine { get; private set; } = null!;

    /// <summary>Slack (<c>deploys</c>) and Teams (<c>ops</c>) receivers the engine's channels of the same names post to.</summary>
    public NotificationReceiver Receiver { get; } = new();

    public string Kubeconfig { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        Kubeconfig = Cluster.WriteKubeconfig(work);
        Controller = new DeploymentController(Cluster, TimeSpan.FromMilliseconds(100));
        Prometheus = await PrometheusServer.StartWithTrafficAsync(("healthy", 200, 0.0), ("broken", 200, 0.3), ("quiet", 2, 0.0), ("rising", 200, 0.0));
        await Receiver.InitializeAsync();
        Engine = await EngineHost.StartAsync(new EngineHostOptions
        {
            Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = Cluster.Clusters(work) },
            Notifications = new Engine.Notifications.NotificationOptions
            {
                DashboardUrl = "https://gitops.example.com/ui/",
                Channels = new Dictionary<string, Engine.Notifications.ChannelSpec>
                {
                    ["deploys"] = new() { Type = "slack", Url = $"{Receiver.BaseUrl}/slack/deploys" },
                    ["ops"] = new() { Type = "teams", Url = $"{Receiver.BaseUrl}/teams/ops" },
                },
            },
        });
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Receiver.DisposeAsync();
        await Prometheus.DisposeAsync();
        await Controller.DisposeAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    /// <summary>Applies manifests as a sync would, and waits until every Deployment among them is rolled out.</summary>
    public async Task ApplyAsync(string ns, params string[] manifests)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<Manifest> read = ManifestReader.Read("test.yaml", string.Join("\n---\n", manifests), diagnostics);
        Assert.Empty(diagnostics);
        using ClusterClient client = Connect();
        await new KubernetesApplier(client).ApplyAsync(ManifestSet.Build(read, ManifestOverrides.None), new ApplyOptions { Application = $"setup-{ns}", Namespace = ns });
        foreach (Manifest deployment in read.Where(m => m.Kind == "Deployment"))
        {
            await WaitForAsync(() => Cluster.Get("apps/v1", "Deployment", ns, deployment.Name)?["status"]?["readyReplicas"] is not null, $"{deployment.Name} ready");
        }
    }

    public ClusterClient Connect() => ClusterClient.Connect(new ClusterSpec { Kubeconfig = Kubeconfig });

    /// <summary>A new namespace with a Deployment <c>api</c> of <paramref name="replicas"/> pods and its Service.</summary>
    public async Task<string> NewAppAsync(string image = "registry.local/api:1.0", int replicas = 4, params string[] extra)
    {
        string ns = $"t{Guid.NewGuid():N}"[..12];
        await ApplyAsync(ns, [Apps.Namespace(ns), Apps.Deployment("api", image, replicas, ns), Apps.Service("api", ns), .. extra]);
        return ns;
    }

    public Task<RunStatus> RunAsync(string yaml, Dictionary<string, string>? parameters = null) => Engine.Runs.RunToEndAsync(yaml, parameters);

    /// <summary>Starts the first workflow of <paramref name="yaml"/> without waiting for it.</summary>
    /// <param name="version">An older orchestration version to start it at, as an engine before an upgrade would have; null is the current one.</param>
    public async Task<string> StartAsync(string yaml, Dictionary<string, string>? parameters = null, string? version = null)
    {
        var snapshot = WorkflowSnapshots.Load(yaml);
        string id = $"{snapshot.Workflow.Name}-{Guid.NewGuid():N}";
        if (version is null)
        {
            return await Engine.Runs.StartAsync(snapshot, parameters ?? [], "tester", id);
        }

        var input = new WorkflowRunInput { Snapshot = snapshot, Params = parameters ?? [], StartedBy = "tester", CheckpointEvery = WorkflowRunClient.DefaultCheckpointEvery, Trigger = "cli" };
        return await Engine.Client.ScheduleNewOrchestrationInstanceAsync(nameof(GitOps.Orchestrations.Engine.Orchestrators.WorkflowOrchestrator), input, new Microsoft.DurableTask.StartOrchestrationOptions { InstanceId = id, Version = version });
    }

    /// <summary>Waits until the run's rollout reaches a status that <paramref name="condition"/> accepts.</summary>
    public async Task<RolloutStatus> WaitForRolloutAsync(string runId, Func<RolloutStatus, bool> condition, string what)
    {
        RolloutStatus? last = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            IReadOnlyList<RolloutView> rollouts = await Engine.Runs.GetRolloutsAsync(runId);
            last = rollouts.Count > 0 ? rollouts[0].Status : null;
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"rollout never {what}; {await DescribeAsync(runId)}");
    }

    /// <summary>What a run is doing, for a timeout's message: its nodes, gates and rollouts with their latest events.</summary>
    public async Task<string> DescribeAsync(string runId)
    {
        RunStatus? run = await Engine.Runs.GetAsync(runId);
        if (run is null)
        {
            return $"run {runId} does not exist";
        }

        var text = new System.Text.StringBuilder($"run {runId} is {run.Phase} ({run.Message}); nodes: ");
        text.AppendJoin(", ", run.Nodes.Select(n => $"{n.Name} {n.Phase} x{n.Attempts} {n.Message}"));
        text.Append("; waiting: ").AppendJoin(", ", run.Waiting);
        IReadOnlyList<RolloutView> rollouts = await Engine.Runs.GetRolloutsAsync(runId);
        if (rollouts.Count == 0)
        {
            // The run's status names no attempt: say whether a first attempt's rollout exists anyway,
            // which tells a run whose status went back from one that never started its step.
            foreach (NodeStatus node in run.Nodes)
            {
                string child = GitOps.Orchestrations.Engine.TaskTypes.RolloutTaskType.ChildInstance(runId, node.Name, 1);
                Microsoft.DurableTask.Client.OrchestrationMetadata? found = await Engine.Client.GetInstanceAsync(child, getInputsAndOutputs: true);
                text.Append($"; {child}: {(found is null ? "none" : $"{found.RuntimeStatus} {found.SerializedCustomStatus?[..Math.Min(400, found.SerializedCustomStatus.Length)]}")}");
            }
        }

        foreach (RolloutView rollout in rollouts)
        {
            RolloutStatus? status = rollout.Status;
            text.Append($"; rollout {rollout.Instance} (step {rollout.NodePhase}, {(rollout.Running ? "running" : "ended")}): ");
            text.Append(status is null
                ? "no status yet"
                : $"{status.Phase} at step {status.CurrentStep}/{status.Steps}, weight {status.Weight}, gate {status.Gate?.Node ?? "none"}: {string.Join(" | ", status.Events.TakeLast(8).Select(e => e.What))}");
        }

        return text.ToString();
    }

    public static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits at most a minute for the run to end; a rollout still going then fails the test with where it is.</summary>
    public async Task<RunStatus> WaitForRunAsync(string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            return await Engine.Runs.WatchAsync(runId, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"run did not end in time; {await DescribeAsync(runId)}");
        }
    }

    /// <summary>An AnalysisTemplate that judges a service's success rate on the Prometheus of this environment.</summary>
    public string SuccessRate(int count = 2, string interval = "500ms", string name = "success-rate", int inconclusiveLimit = 0) =>
        SuccessRateTemplate.Yaml(Prometheus.Url, count, interval, errorLimit: 4, inconclusiveLimit: inconclusiveLimit, name: name);
}
