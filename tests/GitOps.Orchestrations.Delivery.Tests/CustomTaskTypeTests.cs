using System.Text.Json;
using Acme.ChangeTicket;
using GitOps.Orchestrations.Composition;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Sdk;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// Custom task types written with the SDK, on the engine host: the sample change-ticket type
/// against a real HTTP ticket system, in one workflow with a job and a script; what a task type
/// that misbehaves does to its step; and the registration both hosts use.
/// </summary>
public sealed class CustomTaskTypeTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly TicketSystem tickets = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-custom-").FullName;
    readonly TaskTypeRegistry taskTypes = TaskTypeRegistry.BuiltIn().With([TaskTypeDefinition.Of<ChangeTicketTaskType>(), TaskTypeDefinition.Of<ThrowingTaskType>()]);
    EngineHost engine = null!;
    JobController jobs = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        await tickets.InitializeAsync();
        jobs = new JobController(cluster);
        engine = await EngineHost.StartAsync(new EngineHostOptions
        {
            Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) },
            TaskTypes = taskTypes,
        });
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await jobs.DisposeAsync();
        await tickets.DisposeAsync();
        await cluster.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    /// <summary>Throws, as a task type with a bug would.</summary>
    sealed class ThrowingTaskType : ICustomTaskType
    {
        public static string Name => "test/throws";

        public static IReadOnlyDictionary<string, TaskField> With { get; } = new Dictionary<string, TaskField>();

        public Task<TaskOutcome> RunAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the bug\nspans lines");
    }

    string Workflow(string tasks) => $$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          params: [{name: tickets, default: "{{tickets.Url}}"}]
          tasks:
        {{tasks}}
        """;

    /// <summary>Approves each ticket as it is opened, as the change board would.</summary>
    async Task DecideTicketsAsync(string status, CancellationToken stop)
    {
        var decided = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            foreach (string id in tickets.Ids.Where(decided.Add))
            {
                tickets.Decide(id, status, "cab-chair");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_job_a_script_and_a_custom_task_type_hand_their_outputs_down_the_graph()
    {
        // The build's pod is played; the script's source really runs, with the env the step gave it.
        jobs.Plan = job => job.Metadata.Labels["gitops.orchestrations/node"] == "build"
            ? Task.FromResult(new PodPlan { Log = "{\"version\": \"2.7.0\"}\n" })
            : ScriptPods.RunHereAsync(cluster, job);
        using var stop = new CancellationTokenSource();
        Task board = DecideTicketsAsync("approved", stop.Token);
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: build
                  uses: job
                  with: {image: registry.local/builder:1, outputs: [version], pollInterval: 200ms}
                - name: notes
                  uses: script
                  depends: build
                  with:
                    image: alpine:3.20
                    env: {VERSION: "{{tasks.build.outputs.version}}"}
                    source: echo "release $VERSION to prod"
                    pollInterval: 200ms
                - name: change
                  uses: acme/change-ticket
                  depends: notes
                  with: {url: "{{params.tickets}}", summary: "{{tasks.notes.outputs.result}}", checkEvery: 1s}
                - name: announce
                  uses: log
                  depends: change
                  with: {message: "{{tasks.change.outputs.ticket}} approved by {{tasks.change.outputs.approvedBy}}"}
            """), taskTypes: taskTypes);
        await stop.CancelAsync();
        await board;

        Assert.True(status.Phase == WorkflowPhase.Succeeded, string.Join("\n", status.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}")));
        string ticket = Assert.Single(tickets.Ids);
        Assert.Equal("release 2.7.0 to prod", tickets.SummaryOf(ticket));
        NodeStatus change = status.Nodes.Single(n => n.Name == "change");
        Assert.Equal(ticket, change.Outputs["ticket"].GetString());
        Assert.Equal("cab-chair", change.Outputs["approvedBy"].GetString());
        Assert.Equal(1, tickets.Opened);
        Assert.Equal(1, tickets.Requests);
    }

    [Fact]
    public async Task A_rejected_ticket_fails_the_step_without_a_retry()
    {
        using var stop = new CancellationTokenSource();
        Task board = DecideTicketsAsync("rejected", stop.Token);
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: change
                  uses: acme/change-ticket
                  retry: {limit: 3}
                  with: {url: "{{params.tickets}}", summary: risky, checkEvery: 1s}
            """), taskTypes: taskTypes);
        await stop.CancelAsync();
        await board;

        NodeStatus change = status.Nodes.Single();
        Assert.Equal(NodePhase.Failed, change.Phase);
        Assert.Equal(1, change.Attempts);
        Assert.Contains("rejected by cab-chair", change.Message);
    }

    [Fact]
    public async Task A_task_type_that_throws_errors_its_step_and_the_worker_carries_on()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("""
                - name: broken
                  uses: test/throws
                - name: after
                  uses: log
                  depends: broken.Errored
                  with: {message: carried on}
            """), taskTypes: taskTypes);

        NodeStatus broken = status.Nodes.Single(n => n.Name == "broken");
        Assert.Equal(NodePhase.Errored, broken.Phase);
        Assert.Equal("test/throws threw InvalidOperationException: the bug spans lines", broken.Message);
        Assert.Equal(NodePhase.Succeeded, status.Nodes.Single(n => n.Name == "after").Phase);
    }

    [Fact]
    public void Validation_knows_custom_types_their_fields_and_lists_them_among_the_known()
    {
        TaskTypeRegistry registry = TaskTypeRegistry.BuiltIn().With([TaskTypeDefinition.Of<ChangeTicketTaskType>()]);
        LoadResult loaded = DocumentLoader.Load("wf.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: t}
            spec:
              tasks:
                - name: a
                  uses: acme/change-ticket
                  with: {url: "https://tickets.example.com", summry: typo}
                - name: b
                  uses: acme/change-tickets
            """, registry);
        string[] errors = loaded.Diagnostics.Select(d => d.ToString()).ToArray();
        Assert.Contains("wf.yaml:8:50: error: unknown field 'summry' in with of 'acme/change-ticket' task (allowed: checkEvery, summary, url)", errors);
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:13: error: 'acme/change-ticket' task is missing required field with.summary", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:10:13: error: unknown task type 'acme/change-tickets' (known: acme/change-ticket, analysis,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("notify")]
    [InlineData("Acme/Notify")]
    [InlineData("acme/notify/cab")]
    [InlineData("acme/-notify")]
    public void A_task_type_name_must_be_namespaced(string name)
    {
        BadName.Value = name;
        Assert.Contains("must be namespaced", Assert.Throws<ArgumentException>(TaskTypeDefinition.Of<BadName>).Message);
    }

    sealed class BadName : ICustomTaskType
    {
        public static string Value = "x";

        public static string Name => Value;

        public static IReadOnlyDictionary<string, TaskField> With { get; } = new Dictionary<string, TaskField>();

        public Task<TaskOutcome> RunAsync(TaskContext context, CancellationToken cancellationToken) => Task.FromResult(TaskOutcome.Succeeded());
    }

    [Fact]
    public void A_name_registered_twice_stops_the_host_from_starting() =>
        Assert.Contains("registered twice", Assert.Throws<InvalidOperationException>(() =>
            TaskTypeRegistry.BuiltIn().With([TaskTypeDefinition.Of<ChangeTicketTaskType>(), TaskTypeDefinition.Of<ChangeTicketTaskType>()])).Message);

    [Fact]
    public void A_functions_app_adds_a_task_type_to_its_services_and_every_part_of_the_engine_sees_it()
    {
        // As the Functions app's Program does: the task type first, then the composition root.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGitOpsTaskType<ChangeTicketTaskType>();
        services.AddGitOpsOrchestrations(new OrchestrationsOptions { Approvals = ApprovalAuthority.Ephemeral() });
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.True(provider.GetRequiredService<TaskTypeRegistry>().TryGetSchema("acme/change-ticket", out _));
        Assert.Same(provider.GetRequiredService<TaskTypeRegistry>(), provider.GetRequiredService<OrchestrationServices>().TaskTypes);
        Assert.NotNull(ActivatorUtilities.GetServiceOrCreateInstance<ChangeTicketTaskType>(provider));
    }
}
