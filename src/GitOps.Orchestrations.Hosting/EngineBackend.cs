using DurableTask.AzureStorage;
using DurableTask.Core;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Payloads;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Tables;
using Grpc.Net.Client;
using Microsoft.DurableTask.Testing.Sidecar;

namespace GitOps.Orchestrations.Hosting;

/// <summary>
/// What must exist before a host's container is built, because making it is asynchronous: the
/// Durable Task backend and its stores (created on Azure Storage if absent), the signing key, and
/// the gRPC sidecar on a Unix socket with the channel the worker and client share. The container
/// that <see cref="EngineHostRegistration.AddGitOpsEngineHost"/> fills owns it and disposes it last.
/// </summary>
public sealed class EngineBackend : IAsyncDisposable
{
    readonly LocalSidecar sidecar;

    EngineBackend(LocalSidecar sidecar, Stores stores, int checkpointEvery, int? chunksAtOnce)
    {
        this.sidecar = sidecar;
        Channel = sidecar.CreateChannel();
        Journal = stores.Journal;
        Audit = stores.Audit;
        Approvals = stores.Approvals;
        Payloads = new StoredPayloads(stores.Payloads);
        DataConverter = new PayloadDataConverter(Payloads);
        CheckpointEvery = checkpointEvery;
        ChunksAtOnce = chunksAtOnce;
    }

    public GrpcChannel Channel { get; }

    public IEffectJournal Journal { get; }

    public IAuditLog Audit { get; }

    public ApprovalAuthority Approvals { get; }

    /// <summary>Where large snapshots and checkpoints live, shared by every worker of the task hub.</summary>
    public StoredPayloads Payloads { get; }

    /// <summary>The converter the worker and the client both use, over <see cref="Payloads"/>.</summary>
    public PayloadDataConverter DataConverter { get; }

    /// <summary>How many finished nodes a run replays before it continues as new (<see cref="EngineHostOptions.CheckpointEvery"/>).</summary>
    public int CheckpointEvery { get; }

    /// <summary>Chunks of a wide fan-out a run starts at once; null, all (<see cref="EngineHostOptions.ChunksAtOnce"/>).</summary>
    public int? ChunksAtOnce { get; }

    public string SidecarSocket => sidecar.SocketPath;

    public static async Task<EngineBackend> StartAsync(EngineHostOptions options, CancellationToken cancellationToken = default)
    {
        Stores stores = await CreateStoreAsync(options, cancellationToken);
        LocalSidecar sidecar = await LocalSidecar.StartAsync(stores.Service, options.LoggerFactory, cancellationToken);
        int checkpointEvery = options.CheckpointEvery ?? (options.Store is MemoryStore ? WorkflowRunClient.DefaultCheckpointEvery : WorkflowRunClient.AzureStorageCheckpointEvery);
        int? chunksAtOnce = options.ChunksAtOnce ?? (options.Store is MemoryStore ? null : FanOutDefaults.ChunksAtOnce);
        return new EngineBackend(sidecar, stores, checkpointEvery, chunksAtOnce);
    }

    sealed record Stores(IOrchestrationService Service, IEffectJournal Journal, IAuditLog Audit, ApprovalAuthority Approvals, IPayloadStore Payloads);

    static async Task<Stores> CreateStoreAsync(EngineHostOptions options, CancellationToken cancellationToken)
    {
        switch (options.Store)
        {
            case MemoryStore:
                return new(new SidecarServiceAdapter(new InMemoryOrchestrationService(options.LoggerFactory)), new InMemoryEffectJournal(), new InMemoryAuditLog(), options.Approvals ?? ApprovalAuthority.Ephemeral(), new MemoryPayloadStore());
            case AzureStorageStore azure:
                await StoreProbe.EnsureReachableAsync(azure, cancellationToken);
                AzureStorageTuning tuning = options.AzureStorage;
                var settings = new AzureStorageOrchestrationServiceSettings
                {
                    StorageAccountClientProvider = new StorageAccountClientProvider(azure.ConnectionString),
                    TaskHubName = options.TaskHub,
                    PartitionCount = tuning.PartitionCount,
                    LeaseInterval = tuning.LeaseInterval,
                    LeaseRenewInterval = tuning.LeaseInterval / 3,
                    LeaseAcquireInterval = tuning.LeaseInterval / 3,
                    WorkItemQueueVisibilityTimeout = tuning.VisibilityTimeout,
                    ControlQueueVisibilityTimeout = tuning.VisibilityTimeout,
                    MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
                    LoggerFactory = options.LoggerFactory,
                };
                var service = new AzureStorageOrchestrationService(settings);
                await service.CreateIfNotExistsAsync();
                TableAccount tables = TableAccount.FromConnectionString(azure.ConnectionString);
                (IEffectJournal journal, IAuditLog audit) = await TaskHubTables.CreateAsync(tables, options.TaskHub, cancellationToken);
                ApprovalAuthority approvals = options.Approvals ?? await TableApprovalKey.GetOrCreateAsync(tables, options.TaskHub, cancellationToken);
                BlobPayloadStore payloads = await BlobPayloadStore.CreateAsync(azure.ConnectionString, options.TaskHub, cancellationToken);
                return new(new SidecarServiceAdapter(service, concurrency: 100), journal, audit, approvals, payloads);
            default:
                throw new ArgumentException($"unsupported store {options.Store}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.ShutdownAsync();
        Channel.Dispose();
        await sidecar.DisposeAsync();
    }
}
