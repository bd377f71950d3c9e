using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Payloads;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Triggers;

/// <summary>How long what ends is kept (docs/operations.md).</summary>
public sealed record RetentionOptions
{
    /// <summary>Runs that ended (with every sub-orchestration they started) and their effect-journal entries; zero keeps them for ever.</summary>
    public TimeSpan Runs { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Audit entries; null keeps them for ever, which is the default: an audit trail is evidence.</summary>
    public TimeSpan? Audit { get; init; }

    /// <summary>How often the sweep runs.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Removes what retention no longer keeps: ended runs through the backend's own purge (Durable
/// Task's history and instance records, on either backend), the effect-journal entries of that
/// age, stored snapshots and checkpoints that no run still names, and audit entries when a
/// retention is configured for them. Running runs, suspended runs and eternal pipelines are never
/// touched, nor what they name. Every host may sweep: purging twice is harmless.
/// </summary>
/// <param name="payloads">The payload store, when the host has one that can forget (IPayloadSweep).</param>
public sealed partial class RetentionSweeper(WorkflowRunClient runs, IEffectJournal journal, IAuditLog audit, RetentionOptions options, TimeProvider clock, ILogger<RetentionSweeper> logger, IPayloadSweep? payloads = null)
{
    // Content a run that still exists could name was touched at most TouchEvery before the run
    // started, and the run started after the runs cutoff; an hour more for clocks that disagree.
    static readonly TimeSpan PayloadMargin = PayloadDefaults.TouchEvery + TimeSpan.FromHours(1);

    public async Task<RetentionReport> SweepAsync(CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = clock.GetUtcNow();
        var report = new RetentionReport(0, 0, 0);
        if (options.Runs > TimeSpan.Zero)
        {
            report = report with
            {
                Runs = await runs.PurgeEndedAsync(now - options.Runs, cancellationToken),
                Effects = await journal.PurgeAsync(now - options.Runs, cancellationToken),
            };
            if (payloads is not null)
            {
                IReadOnlySet<string> inUse = await runs.PayloadsInUseAsync(cancellationToken);
                report = report with { Payloads = await payloads.SweepAsync(now - options.Runs - PayloadMargin, inUse, cancellationToken) };
            }
        }

        if (options.Audit is TimeSpan keep && keep > TimeSpan.Zero)
        {
            report = report with { AuditEntries = await audit.PurgeAsync(now - keep, cancellationToken) };
        }

        if (report.Runs + report.Effects + report.AuditEntries + report.Payloads > 0)
        {
            Swept(logger, report.Runs, report.Effects, report.Payloads, report.AuditEntries);
        }

        return report;
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Retention removed {Runs} ended run(s), {Effects} effect-journal entries, {Payloads} stored payloads and {Audit} audit entries")]
    private static partial void Swept(ILogger logger, int runs, int effects, int payloads, int audit);
}

public sealed record RetentionReport(int Runs, int Effects, int AuditEntries, int Payloads = 0);
