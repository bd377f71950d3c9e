using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>
/// Queue messages and blob uploads on Azurite start runs through two servers that share one task
/// hub and poll the same queue and container: each event starts exactly one run.
/// </summary>
public sealed class StorageEventTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly GitRepository repo = new();
    readonly List<GitOpsServer> servers = [];
    readonly System.Diagnostics.Metrics.MeterListener listener = new();
    int duplicates;

    public async Task InitializeAsync()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Engine.EngineMetrics.MeterName && instrument.Name == "events_received")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            Dictionary<string, object?> labels = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (Equals(labels["name"], "releases") && Equals(labels["outcome"], "duplicate"))
            {
                Interlocked.Increment(ref duplicates);
            }
        });
        listener.Start();
        await azurite.InitializeAsync();
        repo.Commit("workflows", ("workflows/on-request.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: on-request}
            spec:
              params: [{name: app}, {name: version}]
              triggers:
                - queue: {queue: deploy-requests, filter: "body.app != 'ignored'", params: {app: body.app, version: body.version}}
              tasks:
                - {name: deploy, uses: log, with: {message: "{{params.app}} {{params.version}}"}}
            """), ("workflows/on-drop.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: on-drop}
            spec:
              params: [{name: artifact}, {name: version}]
              triggers:
                - blob: {container: releases, prefix: web/, params: {artifact: body.name, version: body.metadata.version}}
              tasks:
                - {name: publish, uses: log, with: {message: "{{params.artifact}} {{params.version}}"}}
            """));
        foreach (string name in new[] { "server-a", "server-b" })
        {
            servers.Add(await GitOpsServer.StartAsync(
                new ServerOptions
                {
                    Urls = "http://127.0.0.1:0",
                    Engine = new EngineHostOptions { Store = new AzureStorageStore(azurite.ConnectionString), TaskHub = "events" },
                    Workflows = new WorkflowRepositoryOptions { Repository = repo.Path },
                    GitPollInterval = TimeSpan.Zero,
                    EventPollInterval = TimeSpan.FromMilliseconds(200),
                    HostName = name,
                },
                NullLoggerFactory.Instance));
        }
    }

    public async Task DisposeAsync()
    {
        listener.Dispose();
        foreach (GitOpsServer server in servers)
        {
            await server.DisposeAsync();
        }

        repo.Dispose();
        await azurite.DisposeAsync();
    }

    WorkflowRunClient Runs => servers[0].Runs;

    async Task<RunListItem> OnlyRun(string prefix)
    {
        RunPage page = null!;
        await Eventually.True(async () => (page = await Runs.ListAsync(new RunQuery { InstanceIdPrefix = prefix, Top = 10 })).Runs.Count > 0, $"a run of {prefix}", TimeSpan.FromMinutes(1));
        return Assert.Single(page.Runs);
    }

    async Task<int> AcceptedStarts(string runId) =>
        (await servers[0].Services.GetRequiredService<IAuditLog>().ReadAsync(runId, 100)).Count(e => e is { Action: "event-start", Outcome: "accepted" });

    [Fact]
    public async Task A_queue_message_starts_one_run_with_its_params_and_is_removed()
    {
        var queue = new QueueClient(azurite.ConnectionString, "deploy-requests");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("""{"app": "ignored", "version": "0.0.1"}""");
        // Base64, as the Azure CLI and the Functions queue output binding send by default.
        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"app": "web", "version": "1.4.2"}""")));

        RunListItem item = await OnlyRun("on-request.queue.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        RunStatus run = await Runs.WatchAsync(item.Id, _ => Task.CompletedTask, cancellationToken: timeout.Token);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(("web", "1.4.2"), (run.Params["app"], run.Params["version"]));
        Assert.Equal(("queue", "deploy-requests"), (run.Trigger, run.Event!.Name));

        // Both messages are consumed (the filtered one too), and only one run exists.
        await Eventually.True(async () => (await queue.PeekMessagesAsync(10)).Value.Length == 0 && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the queue is drained", TimeSpan.FromMinutes(1));
        Assert.Single((await Runs.ListAsync(new RunQuery { InstanceIdPrefix = "on-request.", Top = 10 })).Runs);
        Assert.Equal(1, await AcceptedStarts(item.Id));
    }

    [Fact]
    public async Task A_blob_upload_under_the_prefix_starts_one_run_though_both_servers_see_it()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, "releases");
        await container.CreateIfNotExistsAsync();
        await container.UploadBlobAsync("docs/readme.txt", BinaryData.FromString("not under the prefix"));
        BlobClient blob = container.GetBlobClient("web/app-1.4.2.tgz");
        await blob.UploadAsync(BinaryData.FromString("artifact"), new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["version"] = "1.4.2" } });

        RunListItem item = await OnlyRun("on-drop.blob.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        RunStatus run = await Runs.WatchAsync(item.Id, _ => Task.CompletedTask, cancellationToken: timeout.Token);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("web/app-1.4.2.tgz", run.Params["artifact"]);
        Assert.Equal("blob", run.Trigger);

        Assert.Equal("1.4.2", run.Params["version"]);

        // Both servers list the container: the one that did not start the run dispatches the blob too,
        // and finds it started (a "duplicate" in the metrics). Only then is one run proof of once.
        await Eventually.True(() => duplicates > 0, "the other server found the blob's run already started", TimeSpan.FromMinutes(1));
        Assert.Single((await Runs.ListAsync(new RunQuery { InstanceIdPrefix = "on-drop.", Top = 10 })).Runs);
        Assert.Equal(1, await AcceptedStarts(item.Id));
    }

    [Fact]
    public async Task A_message_that_keeps_failing_moves_to_the_poison_queue_and_starts_nothing()
    {
        // A poller of its own, polled by hand, so nothing else takes the message meanwhile.
        var queue = new QueueClient(azurite.ConnectionString, "poison-test");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("""{"app": "web", "version": "9.9.9"}""");

        // Five deliveries that each ended without deleting it, as five crashed hosts would leave it.
        for (int i = 1; i <= StorageEventPoller.MaxDequeueCount; i++)
        {
            await Eventually.True(async () => (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value.Length == 1, $"delivery {i}");
        }

        await Eventually.True(async () => (await queue.PeekMessagesAsync(1)).Value.Length == 1, "the message visible again");

        GitOpsServer server = servers[0];
        using var other = new GitRepository();
        other.Commit("workflows", ("workflows/on-poison.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: on-poison}
            spec:
              params: [{name: app}]
              triggers:
                - queue: {queue: poison-test, params: {app: body.app}}
              tasks:
                - {name: a, uses: log, with: {message: "{{params.app}}"}}
            """));
        var repository = new WorkflowRepository(new WorkflowRepositoryOptions { Repository = other.Path }, Engine.TaskTypes.TaskTypeRegistry.BuiltIn());
        var journal = server.Services.GetRequiredService<Engine.Idempotency.IEffectJournal>();
        var dispatcher = new EventDispatcher(repository, server.Runs, journal, server.Services.GetRequiredService<IAuditLog>(), TimeProvider.System, NullLogger<EventDispatcher>.Instance, "by-hand");
        var poller = new StorageEventPoller(azurite.ConnectionString, dispatcher, journal, TimeProvider.System, NullLogger<StorageEventPoller>.Instance);
        await poller.PollAsync();

        Assert.Empty((await queue.PeekMessagesAsync(10)).Value);
        var poison = new QueueClient(azurite.ConnectionString, "poison-test-poison");
        Assert.Contains("9.9.9", Assert.Single((await poison.PeekMessagesAsync(10)).Value).Body.ToString(), StringComparison.Ordinal);
        Assert.Empty((await Runs.ListAsync(new RunQuery { InstanceIdPrefix = "on-poison.", Top = 10 })).Runs);
    }
}
