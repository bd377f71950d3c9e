using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// Starting, watching and steering runs through a <see cref="DurableTaskClient"/>. Every host (CLI,
/// server, Functions app) goes through this one class, so they agree on ids, params and status.
/// </summary>
public sealed class WorkflowRunClient(DurableTaskClient client, int checkpointEvery = WorkflowRunClient.DefaultCheckpointEvery)
{
    /// <summary>Measured best on the embedded backend (docs/performance.md).</summary>
    public const int DefaultCheckpointEvery = 10;

    /// <summary>Binds params and schedules a run. With a <paramref name="runId"/> that already exists, returns it unchanged.</summary>
    public async Task<string> StartAsync(WorkflowSnapshot snapshot, IReadOnlyDictionary<string, string>? parameters, string startedBy, string? runId = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, string> bound = ParamBinder.Bind(snapshot.Workflow, parameters, out List<string> errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(parameters));
        }

        if (runId is not null && await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return runId;
        }

        var input = new WorkflowRunInput { Snapshot = snapshot, Params = bound, StartedBy = startedBy, CheckpointEvery = checkpointEvery };
        return await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(WorkflowOrchestrator),
            input,
            new StartOrchestrationOptions { InstanceId = runId ?? NewRunId(snapshot.Workflow.Name) },
            cancellationToken);
    }

    public async Task<RunStatus?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        OrchestrationMetadata? metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken);
        return metadata is null ? null : ToStatus(metadata);
    }

    /// <summary>Polls until the run ends, calling <paramref name="onChange"/> whenever what a person would see changes.</summary>
    public async Task<RunStatus> WatchAsync(string runId, Func<RunStatus, Task> onChange, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        string? last = null;
        while (true)
        {
            RunStatus status = await GetAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"run '{runId}' does not exist");
            string fingerprint = JsonSerializer.Serialize(new { status.Phase, Nodes = status.Nodes.Select(n => new { n.Name, n.Phase, n.Message, n.Attempts }), status.Waiting });
            if (fingerprint != last)
            {
                last = fingerprint;
                await onChange(status);
            }

            if (status.Phase.IsTerminal())
            {
                return status;
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    public Task DecideAsync(string runId, string nodePath, ApprovalDecision decision, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(runId, ApprovalTaskType.EventName(nodePath), decision, cancellationToken);

    public Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken = default) =>
        client.TerminateInstanceAsync(runId, new TerminateInstanceOptions { Output = reason }, cancellationToken);

    static string NewRunId(string workflow) => $"{workflow}-{Guid.NewGuid():N}"[..Math.Min(workflow.Length + 13, 76)];

    static RunStatus ToStatus(OrchestrationMetadata metadata)
    {
        WorkflowRunInput? input = metadata.ReadInputAs<WorkflowRunInput>();
        RunSummary? summary = metadata.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<RunSummary>();
        WorkflowRunResult? result = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<WorkflowRunResult>() : null;

        WorkflowPhase phase = metadata.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Completed => result?.Phase ?? WorkflowPhase.Errored,
            OrchestrationRuntimeStatus.Failed => WorkflowPhase.Errored,
            OrchestrationRuntimeStatus.Terminated => WorkflowPhase.Terminated,
            OrchestrationRuntimeStatus.Pending => WorkflowPhase.Pending,
            _ => WorkflowPhase.Running,
        };
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
            }).ToList()
            ?? input?.Snapshot.Workflow.Tasks.Select(t => new NodeStatus { Name = t.Name }).ToList()
            ?? [];

        return new RunStatus
        {
            Id = metadata.InstanceId,
            Workflow = input?.Snapshot.Workflow.Name ?? summary?.Workflow ?? metadata.Name,
            Revision = input?.Snapshot.Revision ?? summary?.Revision ?? "unknown",
            Phase = phase,
            Message = message,
            CreatedAt = metadata.CreatedAt.UtcDateTime,
            LastUpdatedAt = metadata.LastUpdatedAt.UtcDateTime,
            Nodes = nodes,
            Waiting = phase.IsTerminal() ? [] : summary?.Waiting ?? [],
        };
    }
}
