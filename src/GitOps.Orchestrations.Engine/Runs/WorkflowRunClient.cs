using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// Starting, watching and steering runs through a <see cref="DurableTaskClient"/>. Every host (CLI,
/// server, Functions app) goes through this one class, so they agree on ids, params and status.
/// </summary>
/// <param name="approvals">Signs the decisions and commands this client sends, so gates know they came through a host.</param>
/// <param name="chunksAtOnce">Chunks of one wide fan-out a run starts at once; null starts them all (<see cref="FanOutDefaults"/>).</param>
public sealed class WorkflowRunClient(DurableTaskClient client, ApprovalAuthority approvals, int checkpointEvery = WorkflowRunClient.DefaultCheckpointEvery, int? chunksAtOnce = FanOutDefaults.ChunksAtOnce)
{
    /// <summary>Measured best on the embedded backend (docs/performance.md).</summary>
    public const int DefaultCheckpointEvery = 10;

    /// <summary>On Azure Storage each checkpoint waits for a queue poll, so runs checkpoint ten times less often there.</summary>
    public const int AzureStorageCheckpointEvery = 100;

    /// <summary>The host's server-wide subscriptions, added to every run this client starts.</summary>
    public IReadOnlyList<Core.Notifications.SubscriptionSpec> NotificationDefaults { get; init; } = [];

    /// <summary>Binds params and schedules a run. With a <paramref name="runId"/> that already exists, returns it unchanged.</summary>
    public async Task<string> StartAsync(WorkflowSnapshot snapshot, IReadOnlyDictionary<string, string>? parameters, string startedBy, string? runId = null, string trigger = "cli", Core.Events.EventOrigin? origin = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, string> bound = ParamBinder.Bind(snapshot.Workflow, parameters, out List<string> errors);
        if (errors.Count > 0)
        {
            // No parameter name: the message is shown to people as it is, and "(Parameter 'parameters')" means nothing to them.
            throw new ArgumentException(string.Join("; ", errors));
        }

        if (runId is not null && await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return runId;
        }

        // A new run starts at the current version, whose workers read a snapshot by its key.
        var input = new WorkflowRunInput { Snapshot = snapshot with { MayStoreByContent = true }, Params = bound, StartedBy = startedBy, CheckpointEvery = checkpointEvery, ChunksAtOnce = chunksAtOnce, Trigger = trigger, Event = origin, Notifications = [.. snapshot.Workflow.Notifications, .. NotificationDefaults] };
        string id = await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(WorkflowOrchestrator),
            input,
            OrchestrationVersions.Start(runId ?? NewRunId(snapshot.Workflow.Name)),
            cancellationToken);
        EngineMetrics.RunStarted(snapshot.Workflow.Name, trigger);
        return id;
    }

    /// <summary>
    /// Starts a new run that reruns what did not succeed in <paramref name="runId"/>: nodes that
    /// succeeded keep their outputs and are not run again. The new run records which run it retries.
    /// </summary>
    public async Task<string> RetryAsync(string runId, string startedBy, CancellationToken cancellationToken = default)
    {
        OrchestrationMetadata metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken)
            ?? throw new RunNotFoundException(runId);
        RunStatus status = ToStatus(metadata);
        if (!status.Phase.IsTerminal())
        {
            throw new RunStateException($"run '{runId}' is {status.Phase}; only a run that has ended can be retried");
        }

        if (status.Phase == WorkflowPhase.Succeeded)
        {
            throw new RunStateException($"run '{runId}' succeeded; there is nothing to retry");
        }

        WorkflowRunInput input = metadata.ReadInputAs<WorkflowRunInput>() ?? throw new RunStateException($"run '{runId}' has no input to retry from");

        // A summary that left outputs out cannot hand them on, so then only a finished run's nodes are kept.
        bool outputsKnown = status.Complete;
        List<NodeStatus> kept = outputsKnown
            ? status.Nodes.Where(n => n.Phase == NodePhase.Succeeded && input.Snapshot.Workflow.Tasks.Any(t => t.Name == n.Name)).ToList()
            : [];
        WorkflowRunInput retry = input with
        {
            Snapshot = input.Snapshot with { MayStoreByContent = true },
            StartedBy = startedBy,
            EarlierStarters = input.AllStarters,
            Progress = new RunProgress(kept, Deadline: null, Generation: 0),
            RetryOf = runId,
            Trigger = "retry",
            CreatedAt = null,
            CheckpointEvery = checkpointEvery,
            ChunksAtOnce = chunksAtOnce,
        };
        string id = await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(WorkflowOrchestrator), retry, OrchestrationVersions.Start(NewRunId(input.Snapshot.Workflow.Name)), cancellationToken);
        EngineMetrics.RunStarted(input.Snapshot.Workflow.Name, "retry");
        return id;
    }

    /// <summary>
    /// One page of runs, newest first within the page as the backend returns them, filtered by
    /// workflow and phase. The continuation token is sealed: a token that this engine did not hand
    /// out is refused with <see cref="ArgumentException"/> before the backend sees it.
    /// </summary>
    public async Task<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        const string purpose = "runs";
        string? continuation = query.ContinuationToken is null
            ? null
            : approvals.Unseal(purpose, query.ContinuationToken) ?? throw new ArgumentException("continuationToken is not one this server handed out");
        var durableQuery = new OrchestrationQuery
        {
            CreatedFrom = query.CreatedFrom,
            CreatedTo = query.CreatedTo,
            PageSize = Math.Clamp(query.Top, 1, 1000),
            ContinuationToken = continuation,
            FetchInputsAndOutputs = false,
            InstanceIdPrefix = query.InstanceIdPrefix,
            Statuses = query.RuntimeStatuses,
        };
        await foreach (Page<OrchestrationMetadata> page in client.GetAllInstancesAsync(durableQuery).AsPages(continuation, durableQuery.PageSize).WithCancellation(cancellationToken))
        {
            var items = new List<RunListItem>();
            foreach (OrchestrationMetadata metadata in page.Values.Where(m => m.Name == nameof(WorkflowOrchestrator)))
            {
                // A run terminated before it published a status has none; its input still says what it is.
                OrchestrationMetadata listed = metadata.SerializedCustomStatus is null
                    ? await client.GetInstanceAsync(metadata.InstanceId, getInputsAndOutputs: true, cancellationToken) ?? metadata
                    : metadata;
                RunListItem item = ToListItem(listed);
                if ((query.Workflow is null || item.Workflow == query.Workflow) && (query.Phase is null || item.Phase == query.Phase)
                    && (query.StartedBy is null || item.StartedBy == query.StartedBy))
                {
                    items.Add(item);
                }
            }

            return new RunPage(items, string.IsNullOrEmpty(page.ContinuationToken) ? null : approvals.Seal(purpose, page.ContinuationToken));
        }

        return new RunPage([], null);
    }

    /// <summary>
    /// Purges every instance (runs, their sub-orchestrations, rollouts, analyses) created before
    /// <paramref name="createdBefore"/> that has ended; how many. Running and suspended ones, and
    /// eternal pipelines, stay.
    /// </summary>
    public async Task<int> PurgeEndedAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken = default)
    {
        // Azure Storage needs a lower bound; nothing here is older than this.
        var filter = new PurgeInstancesFilter(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), createdBefore, [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]);
        PurgeResult result = await client.PurgeAllInstancesAsync(filter, cancellationToken);
        return result.PurgedInstanceCount;
    }

    /// <summary>
    /// The payload keys named by every instance that has not ended (runs, their fan-out chunks and
    /// sub-workflows): what retention keeps however long ago it was stored.
    /// </summary>
    public async Task<IReadOnlySet<string>> PayloadsInUseAsync(CancellationToken cancellationToken = default)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended],
            FetchInputsAndOutputs = true,
        };
        await foreach (OrchestrationMetadata instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            keys.UnionWith(Payloads.PayloadKey.NamedIn(instance.SerializedInput));
        }

        return keys;
    }

    public Task SuspendAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
        client.SuspendInstanceAsync(runId, reason, cancellationToken);

    public Task ResumeAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
        client.ResumeInstanceAsync(runId, reason, cancellationToken);

    public async Task<bool> ExistsAsync(string runId, CancellationToken cancellationToken = default) =>
        await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken) is not null;

    public async Task<RunStatus?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        OrchestrationMetadata? metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        if (metadata is null)
        {
            return null;
        }

        RunStatus status = ToStatus(metadata);
        if (status.WaitingForLock is { } waiting
            && await client.GetInstanceAsync(Locks.RunLocks.InstanceId(waiting.Lock), getInputsAndOutputs: true, cancellationToken) is { } held
            && ReadLockStatus(held) is { } lockStatus)
        {
            int index = lockStatus.Waiting.ToList().IndexOf(runId);
            status = status with { WaitingForLock = waiting with { HeldBy = lockStatus.Holders, Position = index < 0 ? null : index + 1 } };
        }

        return status;
    }

    static Locks.LockStatus? ReadLockStatus(OrchestrationMetadata metadata)
    {
        try
        {
            return metadata.ReadCustomStatusAs<Locks.LockStatus>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The DAG of the workflow a run was started with, as pinned in its snapshot; null when there is no such run.</summary>
    public async Task<IReadOnlyList<Core.Planning.GraphNode>?> GetGraphAsync(string runId, CancellationToken cancellationToken = default)
    {
        OrchestrationMetadata? metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        return metadata?.Name == nameof(WorkflowOrchestrator) && metadata.ReadInputAs<WorkflowRunInput>() is WorkflowRunInput input
            ? Core.Planning.WorkflowGraph.Of(input.Snapshot.Workflow)
            : null;
    }

    /// <summary>Polls until the run ends, calling <paramref name="onChange"/> whenever what a person would see changes.</summary>
    public async Task<RunStatus> WatchAsync(string runId, Func<RunStatus, Task> onChange, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        // Every change a person would see bumps the run's change number (see ChangeTracker).
        (WorkflowPhase, int)? last = null;
        while (true)
        {
            RunStatus status = await GetAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"run '{runId}' does not exist");
            if (last != (status.Phase, status.Seq))
            {
                last = (status.Phase, status.Seq);
                await onChange(status);
            }

            if (status.Phase.IsTerminal())
            {
                return status;
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    /// <summary>Sends a person's decision to a gate, signed: call it only after checking who they are and that they may decide.</summary>
    public Task DecideAsync(string runId, string nodePath, ApprovalDecision decision, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(runId, ApprovalTaskType.EventName(nodePath), approvals.Sign(runId, nodePath, decision), cancellationToken);

    /// <summary>
    /// The rollouts a run's steps started, newest attempt of each, with their status: one lookup per
    /// started <c>uses: rollout</c> step of the run's pinned workflow.
    /// </summary>
    public async Task<IReadOnlyList<RolloutView>> GetRolloutsAsync(string runId, CancellationToken cancellationToken = default)
    {
        OrchestrationMetadata metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken) ?? throw new RunNotFoundException(runId);
        WorkflowSnapshot? snapshot = metadata.ReadInputAs<WorkflowRunInput>()?.Snapshot;
        WorkflowDefinition? workflow = snapshot?.Workflow;
        var rolloutSteps = (workflow?.Tasks.Append(workflow.OnExit) ?? []).OfType<TaskSpec>().Where(t => t.Uses == "rollout").Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var found = new List<RolloutView>();
        foreach (NodeStatus node in ToStatus(metadata).Nodes.Where(n => n.Attempts > 0 && rolloutSteps.Contains(n.Name)))
        {
            string instance = RolloutTaskType.ChildInstance(runId, node.Name, node.Attempts);
            if (await client.GetInstanceAsync(instance, getInputsAndOutputs: true, cancellationToken) is { } child)
            {
                RolloutStatus? status = child.ReadCustomStatusAs<RolloutStatus>();
                RolloutDefinition? definition = status is not null && snapshot?.Rollouts.TryGetValue(status.Rollout, out RolloutDefinition? known) == true ? known : null;
                found.Add(new RolloutView(node.Name, instance, node.Phase, child.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending, status)
                {
                    Steps = definition?.Canary?.Steps,
                    Conditions = definition is null ? null : MetricConditions(definition, snapshot!),
                });
            }
        }

        return found;
    }

    static List<MetricConditions> MetricConditions(RolloutDefinition rollout, WorkflowSnapshot snapshot) =>
        rollout.Analyses
            .SelectMany(a => a.Templates)
            .Distinct(StringComparer.Ordinal)
            .Select(name => snapshot.AnalysisTemplates.GetValueOrDefault(name))
            .OfType<Core.Analysis.AnalysisTemplate>()
            .SelectMany(t => t.Metrics.Select(m => new MetricConditions(t.Name, m.Name, m.SuccessCondition, m.FailureCondition)))
            .ToList();

    /// <summary>Sends promote, promote-full or abort to the rollout of <paramref name="nodePath"/>, through its step.</summary>
    public Task CommandRolloutAsync(string runId, string nodePath, RolloutCommand command, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(runId, RolloutRequest.SignalEvent(nodePath), new RolloutSignal { Command = approvals.Sign(runId, nodePath, command) }, cancellationToken);

    /// <summary>Starts a pipeline's eternal orchestration, or returns the id of the one already running.</summary>
    public async Task<string> StartPipelineAsync(Promotion.PipelineInput input, CancellationToken cancellationToken = default)
    {
        string id = Promotion.PipelineInput.InstanceId(input.Pipeline.Name);
        if (await client.GetInstanceAsync(id, cancellationToken) is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
        {
            return id;
        }

        input = input with { Pipeline = input.Pipeline with { Notifications = [.. input.Pipeline.Notifications, .. NotificationDefaults] } };
        return await client.ScheduleNewOrchestrationInstanceAsync(nameof(Promotion.PipelineOrchestrator), input, OrchestrationVersions.Start(id), cancellationToken);
    }

    public async Task<Promotion.PipelineStatus?> GetPipelineAsync(string pipeline, CancellationToken cancellationToken = default) =>
        (await client.GetInstanceAsync(Promotion.PipelineInput.InstanceId(pipeline), getInputsAndOutputs: true, cancellationToken))?.ReadCustomStatusAs<Promotion.PipelineStatus>();

    /// <summary>Approves, rejects or asks for the promotion of a freight in a stage.</summary>
    public Task CommandPipelineAsync(string pipeline, Promotion.PipelineCommand command, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(Promotion.PipelineInput.InstanceId(pipeline), Promotion.PipelineInput.CommandEvent, approvals.Sign(Promotion.PipelineInput.InstanceId(pipeline), command), cancellationToken);

    /// <summary>
    /// Asks a run to stop: it stops its nodes, aborts its rollouts, stops what it started (bounded
    /// by <see cref="RunStop.Grace"/>), runs its exit handler and ends Terminated.
    /// </summary>
    public Task StopAsync(string runId, string by, string? reason, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(runId, RunStop.Event, approvals.Sign(runId, new StopRequest(by, reason)), cancellationToken);

    /// <summary>
    /// Ends a run and everything it started at once, through the backend, without letting it clean
    /// up: for a suspended run (which cannot take a stop request) or one that does not stop.
    /// </summary>
    public async Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken = default)
    {
        await client.TerminateInstanceAsync(runId, new TerminateInstanceOptions { Output = reason, Recursive = true }, cancellationToken);

        // A terminated run cannot let go of its lock itself; told now, the next run need not wait
        // for the lock's own check for ended holders.
        OrchestrationMetadata? metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        if (metadata?.Name == nameof(WorkflowOrchestrator) && metadata.ReadInputAs<WorkflowRunInput>()?.Snapshot.Workflow.Synchronization is { } sync)
        {
            await client.RaiseEventAsync(Locks.RunLocks.InstanceId(sync), Locks.RunLocks.Event, Locks.RunLocks.Release(approvals, sync, runId), cancellationToken);
        }
    }

    static string NewRunId(string workflow) => $"{workflow}-{Guid.NewGuid():N}"[..Math.Min(workflow.Length + 13, 76)];

    static WorkflowPhase PhaseOf(OrchestrationMetadata metadata, WorkflowRunResult? result, RunSummary? summary) => metadata.RuntimeStatus switch
    {
        OrchestrationRuntimeStatus.Completed => result?.Phase ?? summary?.Phase ?? WorkflowPhase.Errored,
        OrchestrationRuntimeStatus.Failed => WorkflowPhase.Errored,
        OrchestrationRuntimeStatus.Terminated => WorkflowPhase.Terminated,
        OrchestrationRuntimeStatus.Pending => WorkflowPhase.Pending,
        OrchestrationRuntimeStatus.Running when summary?.Phase == WorkflowPhase.Pending => WorkflowPhase.Pending,
        _ => WorkflowPhase.Running,
    };

    static RunListItem ToListItem(OrchestrationMetadata metadata)
    {
        RunSummary? summary = ReadSummary(metadata);
        WorkflowRunInput? input = summary is null && metadata.SerializedInput is not null ? metadata.ReadInputAs<WorkflowRunInput>() : null;
        WorkflowSnapshot? snapshot = input?.Snapshot;
        return new RunListItem
        {
            Id = metadata.InstanceId,
            Workflow = summary?.Workflow ?? snapshot?.Workflow.Name ?? "unknown",
            Revision = summary?.Revision ?? snapshot?.Revision ?? "unknown",
            Phase = PhaseOf(metadata, null, summary),
            Suspended = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Suspended,
            CreatedAt = metadata.CreatedAt.UtcDateTime,
            LastUpdatedAt = metadata.LastUpdatedAt.UtcDateTime,
            Counts = summary?.Counts ?? new Dictionary<NodePhase, int>(),
            Gates = metadata.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended ? summary?.Gates ?? [] : [],
            StartedBy = summary?.StartedBy ?? input?.StartedBy,
            Starters = summary?.Starters is { Count: > 0 } starters ? starters : input?.AllStarters ?? [],
            WaitingForLock = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Running ? summary?.WaitingForLock : null,
        };
    }

    static RunSummary? ReadSummary(OrchestrationMetadata metadata)
    {
        try
        {
            // Deserialized here rather than through ReadCustomStatusAs, which refuses metadata
            // fetched without inputs, as listings are; the status is there either way.
            return metadata.SerializedCustomStatus is string text ? JsonSerializer.Deserialize<RunSummary>(text) : null;
        }
        catch (JsonException)
        {
            // Someone set a status that is not ours; the run is still listed, with what is known.
            return null;
        }
    }

    internal static RunStatus ToStatus(OrchestrationMetadata metadata)
    {
        WorkflowRunInput? input = metadata.ReadInputAs<WorkflowRunInput>();
        RunSummary? summary = ReadSummary(metadata);
        WorkflowRunResult? result = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<WorkflowRunResult>() : null;

        WorkflowPhase phase = PhaseOf(metadata, result, summary);
        string? message = result?.Message
            ?? metadata.FailureDetails?.ErrorMessage
            ?? (phase == WorkflowPhase.Terminated ? metadata.SerializedOutput?.Trim('"') : null);

        IReadOnlyList<NodeStatus> nodes = result?.Nodes
            ?? summary?.Nodes.Select(n => new NodeStatus
            {
                Name = n.Name,
                Phase = n.Phase,
                Attempts = n.Attempts,
                Message = n.Message,
                StartedAt = n.StartedAt,
                FinishedAt = n.FinishedAt,
                Items = n.Items,
                Outputs = n.Outputs ?? new(StringComparer.Ordinal),
                Approvals = n.Approvals,
                Seq = n.Seq,
            }).ToList()
            ?? input?.Snapshot.Workflow.Tasks.Select(t => new NodeStatus { Name = t.Name }).ToList()
            ?? [];

        // A run that ended without finishing (terminated, or failed in the engine) gets one more
        // change number for its final phase, so watchers always see the end as a change.
        int seq = result?.Seq ?? summary?.Seq ?? 0;
        if (phase.IsTerminal() && result is null)
        {
            seq++;
        }

        return new RunStatus
        {
            Id = metadata.InstanceId,
            Workflow = input?.Snapshot.Workflow.Name ?? summary?.Workflow ?? metadata.Name,
            Revision = input?.Snapshot.Revision ?? summary?.Revision ?? "unknown",
            Source = input?.Snapshot.Source,
            Phase = phase,
            Suspended = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Suspended,
            Message = message,
            Params = input?.Params ?? new Dictionary<string, string>(),
            StartedBy = input?.StartedBy,
            Starters = input?.AllStarters ?? [],
            Trigger = input?.Trigger,
            Event = input?.Event,
            NotificationFailures = result?.NotificationFailures ?? [],
            RetryOf = input?.RetryOf,
            CreatedAt = metadata.CreatedAt.UtcDateTime,
            LastUpdatedAt = metadata.LastUpdatedAt.UtcDateTime,
            Nodes = nodes,
            Gates = phase.IsTerminal() ? [] : summary?.Gates ?? [],
            Seq = seq,
            Complete = result is not null || (summary is { Truncated: 0, OutputsOmitted: false }),
            WaitingForLock = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Running && summary?.WaitingForLock is { } waiting ? new LockWaitView(waiting) : null,
        };
    }
}

/// <summary>The run named does not exist.</summary>
/// <summary>A rollout as a run's status shows it: the step that runs it, its orchestration, and where it is.</summary>
public sealed record RolloutView(string Node, string Instance, NodePhase NodePhase, bool Running, RolloutStatus? Status)
{
    /// <summary>A canary's steps as its pinned definition lists them; <see cref="RolloutStatus.CurrentStep"/> indexes them.</summary>
    public IReadOnlyList<RolloutStep>? Steps { get; init; }

    /// <summary>Each metric its analyses measure, with the conditions its measurements are judged by.</summary>
    public IReadOnlyList<MetricConditions>? Conditions { get; init; }
}

/// <summary>A metric's success and failure conditions, for reading its measurements against.</summary>
public sealed record MetricConditions(string Template, string Metric, string? SuccessCondition, string? FailureCondition);

public sealed class RunNotFoundException(string runId) : Exception($"run '{runId}' does not exist")
{
    public string RunId { get; } = runId;
}

/// <summary>The run exists but is not in a state that allows what was asked.</summary>
public sealed class RunStateException(string message) : Exception(message);
