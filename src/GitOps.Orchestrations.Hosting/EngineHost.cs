using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting.Backends;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Hosting;

public sealed record EngineHostOptions
{
    public StoreSpec Store { get; init; } = new MemoryStore();

    /// <summary>Workers that share a task hub on Azure Storage share its runs: this is how the engine scales out.</summary>
    public string TaskHub { get; init; } = "gitops";

    /// <summary>Start the worker that executes orchestrations; false gives a client-only process.</summary>
    public bool RunWorker { get; init; } = true;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Services the engine's activities and task types need beyond the built-ins.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The task types workflows may use; the built-in ones unless a capability adds its own.</summary>
    public TaskTypeRegistry TaskTypes { get; init; } = TaskTypeRegistry.BuiltIn();

    /// <summary>Orchestrators and activities to register beyond the engine's own.</summary>
    public Action<DurableTaskRegistry>? ConfigureTasks { get; init; }

    public AzureStorageTuning AzureStorage { get; init; } = AzureStorageTuning.Default;

    /// <summary>Where outbound HTTP may go (http steps, metric providers, chart repositories).</summary>
    public EgressPolicy Egress { get; init; } = EgressPolicy.Default;

    /// <summary>Where sync, render and apply steps keep their clone cache and renders.</summary>
    public DeliveryOptions Delivery { get; init; } = new();

    /// <summary>Notification channels, server-wide subscriptions and the dashboard's address (docs/events.md).</summary>
    public Engine.Notifications.NotificationOptions Notifications { get; init; } = new();

    /// <summary>
    /// The key that signs people's decisions (docs/security.md). Null: a key for this process on the
    /// embedded store, and the task hub's shared key (created on first start) on Azure Storage.
    /// </summary>
    public ApprovalAuthority? Approvals { get; init; }

    /// <summary>
    /// How many finished nodes a run replays before it continues as new; null picks per backend:
    /// 10 in memory, where a checkpoint is nearly free, and 100 on Azure Storage, where each one
    /// waits for a queue poll (docs/performance.md).
    /// </summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>
    /// How many chunks of one wide fan-out a run starts at once; null picks per backend: all of them
    /// in memory, where a chunk's wake costs nothing, and <see cref="Engine.Runs.FanOutDefaults.ChunksAtOnce"/>
    /// on Azure Storage, where each wake reads the chunk's history (docs/performance.md, "Size").
    /// </summary>
    public int? ChunksAtOnce { get; init; }

    /// <summary>
    /// How often a busy lock first checks for holders that ended without letting go (terminated
    /// other than through this engine's API); null is a minute. Tests shorten it.
    /// </summary>
    public TimeSpan? LockCheck { get; init; }

    /// <summary>
    /// Which orchestration versions the worker runs (docs/operations.md, upgrades); null is this
    /// engine's own. Tests set an older one to play the engine before an upgrade.
    /// </summary>
    public DurableTaskWorkerOptions.VersioningOptions? Versioning { get; init; }

    /// <summary>
    /// These options with what a self-hosted process reads from its environment: the Azure Storage
    /// tuning (<c>GITOPS_AZURE_STORAGE_*</c>) and the cache (<c>GITOPS_CACHE_DIR</c>). The CLI's
    /// commands call it as they bind their options; no default reads the environment.
    /// </summary>
    public EngineHostOptions WithEnvironment() => this with
    {
        AzureStorage = AzureStorageTuning.FromEnvironment(),
        Delivery = Environment.GetEnvironmentVariable("GITOPS_CACHE_DIR") is { Length: > 0 } cache ? Delivery with { CacheDirectory = cache } : Delivery,
    };
}

/// <summary>
/// How quickly the Azure Storage backend notices a dead worker: its partition leases expire after
/// <see cref="LeaseInterval"/> (renewed every third of it), and the messages it had taken reappear
/// after <see cref="VisibilityTimeout"/>. A running activity keeps its message hidden: the worker
/// renews it every few seconds while the activity runs, so a short timeout does not hand a slow
/// call to a second worker. Shorter means a dead worker's runs resume sooner, for more storage
/// transactions (lease renewals and message updates); docs/operations.md has the figures.
/// </summary>
public sealed record AzureStorageTuning(TimeSpan LeaseInterval, TimeSpan VisibilityTimeout, int PartitionCount)
{
    /// <summary>A dead worker's runs resume within about half a minute (docs/performance.md, failover).</summary>
    public static readonly AzureStorageTuning Default = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20), PartitionCount: 4);

    public static AzureStorageTuning FromEnvironment() => new(
        Seconds("GITOPS_AZURE_STORAGE_LEASE_SECONDS") ?? Default.LeaseInterval,
        Seconds("GITOPS_AZURE_STORAGE_VISIBILITY_SECONDS") ?? Default.VisibilityTimeout,
        int.TryParse(Environment.GetEnvironmentVariable("GITOPS_AZURE_STORAGE_PARTITIONS"), out int partitions) && partitions is > 0 and <= 16 ? partitions : Default.PartitionCount);

    static TimeSpan? Seconds(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out int seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
}

/// <summary>
/// The engine in a process of its own: <see cref="EngineBackend"/> and
/// <see cref="EngineHostRegistration.AddGitOpsEngineHost"/> in a generic host. The CLI starts
/// exactly this; the self-hosted server puts the same registration into its web application, so
/// the engine and the API share one container.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    readonly IHost host;

    EngineHost(IHost host)
    {
        this.host = host;
        Backend = host.Services.GetRequiredService<EngineBackend>();
        Client = host.Services.GetRequiredService<DurableTaskClient>();
        Runs = host.Services.GetRequiredService<WorkflowRunClient>();
    }

    internal EngineBackend Backend { get; }

    /// <summary>The Unix socket the sidecar listens on; calls need the process's secret as well.</summary>
    public string SidecarSocket => Backend.SidecarSocket;

    /// <summary>Signs decisions this host sends, and lets its gates check them.</summary>
    public ApprovalAuthority Approvals => Backend.Approvals;

    public DurableTaskClient Client { get; }

    /// <summary>Where this host keeps large snapshots and checkpoints (<see cref="Engine.Payloads.StoredPayloads"/>).</summary>
    public Engine.Payloads.StoredPayloads Payloads => Backend.Payloads;

    public WorkflowRunClient Runs { get; }

    public IServiceProvider Services => host.Services;

    public static async Task<EngineHost> StartAsync(EngineHostOptions options, CancellationToken cancellationToken = default)
    {
        EngineBackend backend = await EngineBackend.StartAsync(options, cancellationToken);
        IHost host;
        try
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<IHostLifetime, OwnedHostLifetime>();
            builder.Services.AddSingleton(options.LoggerFactory);
            builder.Services.AddGitOpsEngineHost(backend, options);
            host = builder.Build();
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }

        await host.StartAsync(cancellationToken);
        return new EngineHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping is best effort; whatever the worker had in flight is redelivered by the backend.
        }

        // The container owns the backend, and disposes it after the worker has stopped.
        if (host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
