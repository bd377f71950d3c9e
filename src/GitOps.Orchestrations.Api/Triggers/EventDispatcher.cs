using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Events;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Git;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Triggers;

/// <summary>What one event did to one workflow: started its run, found the run already started, or could not start it (and why).</summary>
public sealed record EventOutcome(string Workflow, string RunId, string Outcome, string? Detail = null);

/// <summary>
/// Starts the runs an event fires, exactly once however often it is delivered and however many
/// hosts receive it. The run id is a hash of the event's identity (<see cref="IncomingEvent.RunIdFor"/>),
/// so a redelivery finds the run the first delivery started; two hosts receiving one event at once
/// agree through a claim in the shared effect journal. A claim whose holder died before starting
/// its run goes stale after <see cref="ClaimTimeout"/>, and the next delivery takes it over once.
/// </summary>
public sealed class EventDispatcher(
    WorkflowRepository repository,
    WorkflowRunClient runs,
    IEffectJournal journal,
    IAuditLog audit,
    TimeProvider clock,
    ILogger<EventDispatcher> logger,
    string host)
{
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Whether any workflow at the branch head listens to this source and name: the pollers ask before reading a queue or container.</summary>
    public async Task<IReadOnlyList<EventTriggerSpec>> ListenersAsync(EventSourceKind source, CancellationToken cancellationToken = default)
    {
        CatalogAtRevision current = await repository.CurrentAsync(cancellationToken);
        return [.. current.Catalog.Workflows.SelectMany(w => w.Definition.EventTriggers).Where(t => t.Source == source)];
    }

    public async Task<IReadOnlyList<EventOutcome>> DispatchAsync(IncomingEvent incoming, CancellationToken cancellationToken = default)
    {
        CatalogAtRevision current = await repository.CurrentAsync(cancellationToken);
        var outcomes = new List<EventOutcome>();
        foreach (WorkflowDocument document in current.Catalog.Workflows)
        {
            WorkflowDefinition workflow = document.Definition;
            string? problem = null;
            EventMatch? fired = null;
            foreach (EventTriggerSpec trigger in workflow.EventTriggers)
            {
                EventMatch match = EventMatch.Evaluate(workflow, trigger, incoming);
                problem ??= match.Problem;
                if (match.Fires)
                {
                    // One run per workflow and event, even when several of its triggers fire.
                    fired = match;
                    break;
                }
            }

            if (fired is not null)
            {
                outcomes.Add(await StartAsync(workflow.Name, fired, incoming, current.Revision, cancellationToken));
            }
            else if (problem is not null)
            {
                // No trigger fired, and one of them could not even read this event: that is worth telling.
                outcomes.Add(new EventOutcome(workflow.Name, incoming.RunIdFor(workflow.Name), "failed", problem));
            }
        }

        string source = incoming.Source.ToString().ToLowerInvariant();
        foreach (EventOutcome outcome in outcomes)
        {
            EngineMetrics.EventReceived(source, incoming.Name, outcome.Outcome);
            if (outcome.Outcome == "failed")
            {
                logger.EventFailed(source, incoming.Name, incoming.Id, outcome.Workflow, outcome.Detail ?? string.Empty);
                await audit.AppendAsync(Entry(outcome.RunId, "event-start", "refused", outcome.Detail, incoming), cancellationToken);
            }
        }

        if (outcomes.Count == 0)
        {
            EngineMetrics.EventReceived(source, incoming.Name, "ignored");
        }

        return outcomes;
    }

    async Task<EventOutcome> StartAsync(string workflow, EventMatch match, IncomingEvent incoming, string head, CancellationToken cancellationToken)
    {
        string runId = incoming.RunIdFor(workflow);
        if (await runs.ExistsAsync(runId, cancellationToken) || !await ClaimAsync(runId, cancellationToken))
        {
            return new EventOutcome(workflow, runId, "duplicate");
        }

        ResolvedWorkflow resolved;
        try
        {
            resolved = await repository.ResolveAsync(workflow, match.Revision ?? head, cancellationToken);
        }
        catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or ArgumentException)
        {
            return new EventOutcome(workflow, runId, "failed", $"revision '{match.Revision}' cannot be read: {GitRemote.Redact(e.Message)}");
        }

        if (!resolved.Succeeded)
        {
            return new EventOutcome(workflow, runId, "failed", resolved.Error ?? string.Join("; ", resolved.Diagnostics));
        }

        string source = incoming.Source.ToString().ToLowerInvariant();
        try
        {
            await runs.StartAsync(resolved.Snapshot!, match.Params, $"{source}:{incoming.Name}", runId, trigger: source, cancellationToken: cancellationToken, origin: incoming.Origin);
        }
        catch (ArgumentException e)
        {
            return new EventOutcome(workflow, runId, "failed", e.Message);
        }

        logger.EventStarted(source, incoming.Name, incoming.Id, workflow, runId);
        await audit.AppendAsync(Entry(runId, "event-start", "accepted", $"{incoming.Type} {incoming.Id}", incoming), cancellationToken);
        return new EventOutcome(workflow, runId, "started");
    }

    /// <summary>
    /// True for one caller per run id. A claim is written with its time; one older than
    /// <see cref="ClaimTimeout"/> whose run never started belonged to a host that died in between,
    /// and exactly one later caller may take it over (a claim on the stale claim).
    /// </summary>
    async Task<bool> ClaimAsync(string runId, CancellationToken cancellationToken)
    {
        string key = $"event/{runId}";
        DateTimeOffset now = clock.GetUtcNow();
        if (await journal.TryClaimAsync(key, $"{host}|{now:o}", cancellationToken))
        {
            return true;
        }

        string? holder = await journal.TryGetAsync(key, cancellationToken);
        string? at = holder?.Split('|').LastOrDefault();
        return DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out DateTimeOffset claimedAt)
            && now - claimedAt > ClaimTimeout
            && await journal.TryClaimAsync($"{key}/retaken/{at}", host, cancellationToken);
    }

    AuditEntry Entry(string runId, string action, string outcome, string? detail, IncomingEvent incoming) => new()
    {
        At = clock.GetUtcNow().UtcDateTime,
        Actor = $"{incoming.Source.ToString().ToLowerInvariant()}:{incoming.Name}@{host}",
        Action = action,
        RunId = runId,
        Outcome = outcome,
        Detail = detail,
    };
}

static partial class EventLogs
{
    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "{Source} event {Id} on '{Name}' started run {RunId} of '{Workflow}'")]
    public static partial void EventStarted(this ILogger logger, string source, string name, string id, string workflow, string runId);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "{Source} event {Id} on '{Name}' could not start '{Workflow}': {Problem}")]
    public static partial void EventFailed(this ILogger logger, string source, string name, string id, string workflow, string problem);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "Webhook '{Name}' refused a delivery: {Reason}")]
    public static partial void HookRefused(this ILogger logger, string name, string reason);
}
