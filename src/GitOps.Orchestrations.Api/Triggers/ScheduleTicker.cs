using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Triggers;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Git;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Triggers;

/// <summary>A slot the ticker acted on, and what it did: started, skipped (Forbid), or replaced.</summary>
public sealed record ScheduleOutcome(string Workflow, int Schedule, DateTimeOffset Slot, string RunId, string Action);

/// <summary>
/// Starts the runs that <c>spec.schedules</c> make due. Every host ticks (the server every few
/// seconds, the Functions app every minute) and they agree through two things: the run id is the
/// workflow and the slot, and each slot is claimed once in the shared effect journal before
/// anything is started, so concurrency policies are applied once per slot too.
/// </summary>
public sealed class ScheduleTicker(
    WorkflowRepository repository,
    WorkflowRunClient runs,
    IEffectJournal journal,
    IAuditLog audit,
    TimeProvider clock,
    ILogger<ScheduleTicker> logger,
    string host)
{
    static readonly OrchestrationRuntimeStatus[] Active = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended];

    public async Task<IReadOnlyList<ScheduleOutcome>> TickAsync(CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = clock.GetUtcNow();
        CatalogAtRevision current = await repository.CurrentAsync(cancellationToken);
        var outcomes = new List<ScheduleOutcome>();
        foreach (WorkflowDocument document in current.Catalog.Workflows)
        {
            WorkflowDefinition workflow = document.Definition;
            for (int index = 0; index < workflow.Schedules.Count; index++)
            {
                ScheduleSpec schedule = workflow.Schedules[index];
                if (ScheduleCalendar.DueSlot(schedule, now) is not DateTimeOffset slot)
                {
                    continue;
                }

                string runId = ScheduleCalendar.RunId(workflow.Name, index, slot);
                if (await runs.ExistsAsync(runId, cancellationToken) || !await journal.TryClaimAsync($"schedule/{runId}", host, cancellationToken))
                {
                    continue;
                }

                outcomes.Add(await FireAsync(workflow.Name, index, schedule, slot, runId, current.Revision, now, cancellationToken));
            }
        }

        return outcomes;
    }

    async Task<ScheduleOutcome> FireAsync(string workflow, int index, ScheduleSpec schedule, DateTimeOffset slot, string runId, string revision, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string action = "started";
        if (schedule.ConcurrencyPolicy != ConcurrencyPolicy.Allow)
        {
            RunPage active = await runs.ListAsync(new RunQuery { InstanceIdPrefix = ScheduleCalendar.RunIdPrefix(workflow, index), RuntimeStatuses = Active, Top = 100 }, cancellationToken);
            if (active.Runs.Count > 0 && schedule.ConcurrencyPolicy == ConcurrencyPolicy.Forbid)
            {
                await Audit(runId, "schedule-skip", $"concurrencyPolicy Forbid: {string.Join(", ", active.Runs.Select(r => r.Id))} still running");
                logger.SlotSkipped(workflow, slot, active.Runs[0].Id);
                return new ScheduleOutcome(workflow, index, slot, runId, "skipped");
            }

            foreach (RunListItem run in active.Runs)
            {
                await runs.StopAsync(run.Id, "schedule", $"replaced by {runId} (concurrencyPolicy Replace)", cancellationToken);
                await Audit(run.Id, "terminate", $"replaced by {runId}");
                action = "replaced";
            }
        }

        ResolvedWorkflow resolved = await repository.ResolveAsync(workflow, revision, cancellationToken);
        if (!resolved.Succeeded)
        {
            await Audit(runId, "schedule-skip", string.Join("; ", resolved.Diagnostics.Select(d => d.ToString()).Append(resolved.Error ?? string.Empty)));
            return new ScheduleOutcome(workflow, index, slot, runId, "invalid");
        }

        await runs.StartAsync(resolved.Snapshot!, null, "schedule", runId, trigger: "schedule", cancellationToken: cancellationToken);
        EngineMetrics.ScheduledRunStarted(workflow, now - slot);
        logger.SlotStarted(workflow, slot, runId, host);
        return new ScheduleOutcome(workflow, index, slot, runId, action);
    }

    Task Audit(string runId, string action, string detail) =>
        audit.AppendAsync(new AuditEntry { At = clock.GetUtcNow().UtcDateTime, Actor = $"schedule@{host}", Action = action, RunId = runId, Outcome = "accepted", Detail = detail });
}

static partial class TriggerLogs
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Schedule of '{Workflow}' for {Slot:o} started run {RunId} on {Host}")]
    public static partial void SlotStarted(this ILogger logger, string workflow, DateTimeOffset slot, string runId, string host);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Schedule of '{Workflow}' for {Slot:o} skipped: {Running} is still running")]
    public static partial void SlotSkipped(this ILogger logger, string workflow, DateTimeOffset slot, string running);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Commit {Sha} touched the trigger paths of '{Workflow}': started run {RunId}")]
    public static partial void GitTriggered(this ILogger logger, string sha, string workflow, string runId);
}
