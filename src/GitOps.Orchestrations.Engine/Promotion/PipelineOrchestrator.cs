using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Notifications;
using GitOps.Orchestrations.Engine.Notifications;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Promotion;

/// <summary>Where a pipeline is, as its custom status shows it.</summary>
public sealed record PipelineStatus(string Pipeline, DateTimeOffset At, IReadOnlyList<Freight> Freight, IReadOnlyDictionary<string, StageState> Stages);

/// <summary>
/// A pipeline as an eternal orchestration: each pass looks for new freight, then walks the stages
/// in order. A stage takes the newest freight every upstream stage verified (or, fed by sources, the
/// newest discovered), asks <see cref="StageGate"/>, and when it may, runs its promotion and
/// verification as a workflow, synchronously, so no freight reaches the next stage unverified. Then
/// the pass waits for the poll interval, the earliest soak or freeze end, or a person's command, and
/// continues as new with its state, so the history stays bounded however long the pipeline lives.
/// </summary>
public sealed class PipelineOrchestrator(Approvals.ApprovalAuthority approvals) : TaskOrchestrator<PipelineInput, object?>
{
    const int FreightKept = 20;
    const int HistoryKept = 50;
    const int ApprovalsKept = 50;

    public override async Task<object?> RunAsync(TaskOrchestrationContext context, PipelineInput input)
    {
        PipelineDefinition pipeline = input.Pipeline;
        PipelineState state = input.State;

        // Every execution publishes its status before its first await, so a reader between two
        // executions (after ContinueAsNew) never sees an empty one.
        Publish(context, pipeline, state);
        var notifier = new RunNotifier(context, pipeline.Notifications);
        NotificationEvent Notice(string trigger, string key, string stage, string message) => new()
        {
            Trigger = trigger,
            Key = $"{stage}/{key}/{trigger}",
            RunId = context.InstanceId,
            Workflow = pipeline.Name,
            Revision = input.Revision,
            Node = stage,
            Message = message,
            At = context.CurrentUtcDateTime,
        };

        DiscoverFreightResult found = await context.CallActivityAsync<DiscoverFreightResult>(PromotionActivities.DiscoverFreight, pipeline.Sources);
        if (found.Freight is Freight fresh && !state.Freight.Any(f => f.Id == fresh.Id))
        {
            state.Freight.Add(fresh);
            state.Freight.RemoveRange(0, Math.Max(0, state.Freight.Count - FreightKept));
        }

        DateTimeOffset? wake = null;
        foreach (StageDefinition stage in pipeline.Stages)
        {
            StageState here = state.Stages.TryGetValue(stage.Name, out StageState? known) ? known : state.Stages[stage.Name] = new StageState();
            Freight? candidate = Candidate(stage, here, state);
            if (candidate is null)
            {
                here.Waiting = found.Error is not null && stage.FromSources ? $"sources unreadable: {found.Error}" : "no new freight";
                continue;
            }

            string key = $"{stage.Name}/{candidate.Id}";
            var facts = new StageFacts(
                stage.From.ToDictionary(u => u, u => state.Stages.TryGetValue(u, out StageState? up) && up.Verified.TryGetValue(candidate.Id, out DateTimeOffset at) ? at : (DateTimeOffset?)null, StringComparer.Ordinal),
                ApprovedBy(here, candidate.Id),
                context.CurrentUtcDateTime,
                state.Requested.Contains(key));
            GateDecision decision = StageGate.Decide(stage.Rules, facts);
            if (decision.State != GateState.Promote)
            {
                string waiting = $"{candidate.Id}: {decision.Reason}";
                if (decision.State == GateState.Frozen && here.Waiting != waiting)
                {
                    // Told when the freeze starts holding this freight, not at every pass it keeps holding.
                    notifier.Emit(Notice(NotificationTriggers.FreezeHolding, $"{candidate.Id}/{decision.Until:o}", stage.Name, waiting));
                }

                here.Waiting = waiting;
                wake = decision.Until is DateTimeOffset until && (wake is null || until < wake) ? until : wake;
                continue;
            }

            here.Waiting = $"promoting {candidate.Id}";
            Publish(context, pipeline, state);
            string run = $"{context.InstanceId}.{stage.Name}.{here.History.Count + 1}";
            notifier.Emit(Notice(NotificationTriggers.FreightPromoted, run, stage.Name, $"promoting {candidate.Id} into {stage.Name} ({run})"));
            WorkflowRunResult result = await context.CallSubOrchestratorAsync<WorkflowRunResult>(
                nameof(WorkflowOrchestrator),
                new WorkflowRunInput
                {
                    Snapshot = new WorkflowSnapshot { Workflow = StageWorkflow.For(pipeline, stage), AnalysisTemplates = input.Templates, Revision = input.Revision, Source = input.Source },
                    Params = StageWorkflow.Params(candidate),
                    StartedBy = $"pipeline {pipeline.Name}",
                    ChunksAtOnce = FanOutDefaults.ChunksAtOnce,
                },
                context.Child(run));
            state.Requested.Remove(key);
            if (result.Phase == WorkflowPhase.Succeeded)
            {
                here.Verified[candidate.Id] = context.CurrentUtcDateTime;
                here.Current = candidate.Id;
                here.History.Add(new StageHistoryEntry(candidate.Id, context.CurrentUtcDateTime, "verified", run));
                notifier.Emit(Notice(NotificationTriggers.FreightVerified, run, stage.Name, $"{candidate.Id} verified in {stage.Name}"));
                here.Waiting = null;
            }
            else
            {
                string why = result.Nodes.FirstOrDefault(n => n.Phase.IsFailure())?.Message ?? result.Message ?? result.Phase.ToString();
                here.Failed.Add(candidate.Id);
                here.History.Add(new StageHistoryEntry(candidate.Id, context.CurrentUtcDateTime, $"failed: {why}", run));
                notifier.Emit(Notice(NotificationTriggers.FreightFailed, run, stage.Name, $"{candidate.Id} failed in {stage.Name}: {why}"));
                here.Waiting = $"{candidate.Id} failed here; the next stage does not get it";
            }

            here.History.RemoveRange(0, Math.Max(0, here.History.Count - HistoryKept));
        }

        Publish(context, pipeline, state);
        DateTimeOffset next = context.CurrentUtcDateTime + input.PollInterval;
        if (wake is DateTimeOffset earlier && earlier < next)
        {
            next = earlier;
        }

        using var cancelTimer = new CancellationTokenSource();
        Task timer = context.CreateTimer(next.UtcDateTime, cancelTimer.Token);

        // Never cancelled through the SDK (see OrchestrationWaits): when the timer wins, the execution continues as new.
        Task<PipelineCommand> command = context.WaitForExternalEvent<PipelineCommand>(PipelineInput.CommandEvent);
        if (await Task.WhenAny(timer, command) == command)
        {
            cancelTimer.Cancel();
            PipelineCommand received = await command;
            if (approvals.Verifies(context.InstanceId, received))
            {
                Apply(received, pipeline, state, input.StartedBy, context.CurrentUtcDateTime);
            }
            else
            {
                Refuse(received, pipeline, state, context.CurrentUtcDateTime);
            }
        }

        Prune(state);

        // Every delivery of this pass ends before the next: a failure is the activity's to log and count, never the pipeline's to stop on.
        await notifier.DrainAsync();

        // The next pass runs on the current version: a pipeline upgrades itself between passes, with nothing to replay.
        context.ContinueAsNew(new ContinueAsNewOptions { NewInput = input with { State = state }, PreserveUnprocessedEvents = true, NewVersion = OrchestrationVersions.Current });
        return null;
    }

    /// <summary>
    /// The freight a stage should take next: one a person asked for; else, fed by sources, the newest
    /// discovered; else the newest every upstream stage verified. Never one it already ran or failed.
    /// </summary>
    static Freight? Candidate(StageDefinition stage, StageState here, PipelineState state)
    {
        if (state.Freight.LastOrDefault(f => state.Requested.Contains($"{stage.Name}/{f.Id}")) is Freight requested)
        {
            return requested;
        }

        IEnumerable<Freight> newestFirst = Enumerable.Reverse(state.Freight).Where(f => !here.Verified.ContainsKey(f.Id) && !here.Failed.Contains(f.Id));
        return stage.FromSources
            ? newestFirst.FirstOrDefault()
            : newestFirst.FirstOrDefault(f => stage.From.All(u => state.Stages.TryGetValue(u, out StageState? up) && up.Verified.ContainsKey(f.Id)));
    }

    static List<string> ApprovedBy(StageState here, string freight) =>
        here.Approvals.TryGetValue(freight, out List<ApprovalRecord>? records)
            ? records.Where(r => r.Decision == "approve").Select(r => r.By).Distinct(StringComparer.Ordinal).ToList()
            : [];

    static void Apply(PipelineCommand command, PipelineDefinition pipeline, PipelineState state, string startedBy, DateTime now)
    {
        StageDefinition? stage = pipeline.Stages.FirstOrDefault(s => s.Name == command.Stage);
        if (stage is null || !state.Freight.Any(f => f.Id == command.Freight))
        {
            return;
        }

        StageState here = state.Stages.TryGetValue(stage.Name, out StageState? known) ? known : state.Stages[stage.Name] = new StageState();
        switch (command.Kind)
        {
            case "promote":
                state.Requested.Add($"{stage.Name}/{command.Freight}");
                here.Failed.Remove(command.Freight);
                here.Verified.Remove(command.Freight);
                break;
            case "approve" or "reject":
                List<ApprovalRecord> records = here.Approvals.TryGetValue(command.Freight, out List<ApprovalRecord>? list) ? list : here.Approvals[command.Freight] = [];

                // As at every gate: only listed approvers count, and not the one who started it unless allowed.
                string? refusal = stage.Rules.Approval?.Refusal(command.By, command.Groups ?? [], [startedBy]) ?? (stage.Rules.Approval is null ? "this stage takes no approvals" : null);
                records.Add(refusal is null
                    ? new ApprovalRecord(command.Kind, command.By, now, command.Comment)
                    : new ApprovalRecord($"refused:{command.Kind}", command.By, now, refusal));
                if (refusal is null && command.Kind == "reject")
                {
                    here.Failed.Add(command.Freight);
                }

                break;
        }
    }

    /// <summary>A command without a host's proof: kept in the record as refused, and nothing else happens.</summary>
    static void Refuse(PipelineCommand command, PipelineDefinition pipeline, PipelineState state, DateTime now)
    {
        if (pipeline.Stages.FirstOrDefault(s => s.Name == command.Stage) is not StageDefinition stage)
        {
            return;
        }

        StageState here = state.Stages.TryGetValue(stage.Name, out StageState? known) ? known : state.Stages[stage.Name] = new StageState();
        List<ApprovalRecord> records = here.Approvals.TryGetValue(command.Freight, out List<ApprovalRecord>? list) ? list : here.Approvals[command.Freight] = [];
        records.Add(new ApprovalRecord($"refused:{command.Kind}", command.By, now, Approvals.ApprovalAuthority.Unproven));
    }

    static void Publish(TaskOrchestrationContext context, PipelineDefinition pipeline, PipelineState state) =>
        context.SetCustomStatus(Budgeted(new PipelineStatus(pipeline.Name, context.CurrentUtcDateTime, state.Freight, state.Stages)));

    /// <summary>The fullest version of the status that fits <see cref="StatusBudget"/>.</summary>
    internal static PipelineStatus Budgeted(PipelineStatus status) =>
        StatusBudget.Fit(
            status,
            s => Trimmed(s, freight: 10, history: 10),
            s => Trimmed(s, freight: 5, history: 3),
            s => Trimmed(s, freight: 2, history: 1));

    /// <summary>The status with less of each list: the freight and stage histories are the parts that grow.</summary>
    static PipelineStatus Trimmed(PipelineStatus status, int freight, int history)
    {
        var keep = status.Freight.TakeLast(freight).Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        return status with
        {
            Freight = status.Freight.TakeLast(freight).ToList(),
            Stages = status.Stages.ToDictionary(s => s.Key, s => s.Value with
            {
                History = s.Value.History.TakeLast(history).ToList(),
                Approvals = s.Value.Approvals.Where(a => keep.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value.TakeLast(history * 2).ToList(), StringComparer.Ordinal),
            }, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Forgets what concerns freight no longer kept, so the state carried across <c>ContinueAsNew</c>
    /// stays bounded however long the pipeline lives. What a stage runs now is always kept.
    /// </summary>
    internal static void Prune(PipelineState state)
    {
        var kept = state.Freight.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        foreach (StageState stage in state.Stages.Values)
        {
            bool Forgotten(string freight) => !kept.Contains(freight) && freight != stage.Current;
            foreach (string freight in stage.Verified.Keys.Where(Forgotten).ToList())
            {
                stage.Verified.Remove(freight);
            }

            stage.Failed.RemoveWhere(Forgotten);
            foreach (string freight in stage.Approvals.Keys.Where(Forgotten).ToList())
            {
                stage.Approvals.Remove(freight);
            }

            foreach (List<ApprovalRecord> records in stage.Approvals.Values)
            {
                records.RemoveRange(0, Math.Max(0, records.Count - ApprovalsKept));
            }
        }

        state.Requested.RemoveWhere(key => !kept.Contains(key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]));
    }
}
