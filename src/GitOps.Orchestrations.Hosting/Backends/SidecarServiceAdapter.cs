using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;

namespace GitOps.Orchestrations.Hosting.Backends;

/// <summary>
/// Adapts a DurableTask.Core backend to the in-process gRPC sidecar, fixing two things the sidecar
/// gets wrong on its own.
/// <para>
/// Throughput: it reports a high work-item concurrency. The sidecar's dispatcher takes
/// <see cref="MaxConcurrentTaskActivityWorkItems"/> items at a time and then waits for a 500 ms poll
/// before taking more; the in-memory service reports the core count, so on two cores a fan-out crawled
/// at about four activities a second. The real limit is the worker's own concurrency, so the
/// dispatcher need not throttle at all.
/// </para>
/// <para>
/// Sub-orchestrations: the sidecar hands the child's start event a protobuf map as its tags. The
/// Azure Storage backend serializes messages with Newtonsoft type names and then cannot load that
/// type back, so every child start message was abandoned forever. Tags are copied into a plain
/// dictionary before the backend sees them. Likewise the sidecar records a child's creation with
/// its own subclass of <see cref="SubOrchestrationInstanceCreatedEvent"/>, which the Azure Storage
/// history table cannot write; it is replaced by the plain event.
/// </para>
/// <para>
/// Takeover: a worker killed after writing an instance's history but before deleting its start message
/// leaves that message to be delivered again. The sidecar's dispatcher adds it to the history a second
/// time and fails the work item ("Multiple ExecutionStartedEvent found") until the message goes to
/// poison. A start message for an execution that has already started is dropped instead.
/// </para>
/// </summary>
public sealed class SidecarServiceAdapter(IOrchestrationService inner, int concurrency = 1000)
    : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    IOrchestrationServiceClient Client => inner as IOrchestrationServiceClient
        ?? throw new NotSupportedException($"{inner.GetType().Name} is not an orchestration client");

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => Math.Max(concurrency, inner.MaxConcurrentTaskOrchestrationWorkItems);

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => Math.Max(concurrency, inner.MaxConcurrentTaskActivityWorkItems);

    public Task StartAsync() => inner.StartAsync();

    public Task StopAsync() => inner.StopAsync();

    public Task StopAsync(bool isForced) => inner.StopAsync(isForced);

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        TaskOrchestrationWorkItem workItem = await inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
        DropRedeliveredStarts(workItem);
        return workItem;
    }

    public static void DropRedeliveredStarts(TaskOrchestrationWorkItem? workItem)
    {
        string? started = workItem?.OrchestrationRuntimeState?.ExecutionStartedEvent?.OrchestrationInstance?.ExecutionId;
        if (started is null || workItem!.NewMessages is not { Count: > 0 } messages || messages.IsReadOnly)
        {
            return;
        }

        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Event is ExecutionStartedEvent && messages[i].OrchestrationInstance?.ExecutionId == started)
            {
                messages.RemoveAt(i);
            }
        }
    }

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        ReplaceSubclassedEvents(newOrchestrationRuntimeState.NewEvents);
        ReplaceSubclassedEvents(newOrchestrationRuntimeState.Events);
        foreach (TaskMessage message in orchestratorMessages)
        {
            if (message.Event is ExecutionStartedEvent started && started.Tags is not null && started.Tags is not Dictionary<string, string>)
            {
                started.Tags = new Dictionary<string, string>(started.Tags);
            }
        }

        return inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    static void ReplaceSubclassedEvents(IList<HistoryEvent> events)
    {
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    Timestamp = created.Timestamp,
                };
            }
        }
    }

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => Client.CreateTaskOrchestrationAsync(creationMessage);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) =>
        Client.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => Client.SendTaskOrchestrationMessageAsync(message);

    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => Client.SendTaskOrchestrationMessageBatchAsync(messages);

    public Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        Client.WaitForOrchestrationAsync(instanceId, executionId, timeout, cancellationToken);

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => Client.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        Client.GetOrchestrationStateAsync(instanceId, allExecutions);

    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        Client.GetOrchestrationStateAsync(instanceId, executionId);

    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) => Client.GetOrchestrationHistoryAsync(instanceId, executionId);

    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        Client.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        inner is IOrchestrationServiceQueryClient queries
            ? queries.GetOrchestrationWithQueryAsync(query, cancellationToken)
            : throw new NotSupportedException($"{inner.GetType().Name} does not support queries");

    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) =>
        Purger.PurgeInstanceStateAsync(instanceId);

    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) =>
        Purger.PurgeInstanceStateAsync(purgeInstanceFilter);

    IOrchestrationServicePurgeClient Purger => inner as IOrchestrationServicePurgeClient
        ?? throw new NotSupportedException($"{inner.GetType().Name} does not support purging");
}
