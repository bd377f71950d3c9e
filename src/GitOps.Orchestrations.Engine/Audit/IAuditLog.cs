using System.Collections.Concurrent;

namespace GitOps.Orchestrations.Engine.Audit;

/// <summary>
/// One thing a person or a trigger did to a run, or tried to: who, when, what, and whether it was
/// allowed. Refusals are entries too, so the log answers "who tried to approve this?".
/// </summary>
public sealed record AuditEntry
{
    public required DateTime At { get; init; }

    public required string Actor { get; init; }

    /// <summary>start, approve, reject, terminate, suspend, resume, retry, schedule-skip.</summary>
    public required string Action { get; init; }

    public required string RunId { get; init; }

    public string? Node { get; init; }

    /// <summary>accepted, or refused with the reason in <see cref="Detail"/>.</summary>
    public required string Outcome { get; init; }

    public string? Detail { get; init; }
}

/// <summary>Append-only: entries are added and read, never changed; they are removed only by a retention the operator configures.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Entries oldest first, for one run or for all.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAsync(string? runId, int top, CancellationToken cancellationToken = default);

    /// <summary>Removes entries from before <paramref name="before"/>; how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>The embedded backend's log, which lives as long as its runs do: the process.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    readonly ConcurrentQueue<AuditEntry> entries = new();

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        entries.Enqueue(entry);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAsync(string? runId, int top, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AuditEntry>>(entries.Where(e => runId is null || e.RunId == runId).TakeLast(top).ToList());

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        // Entries are appended in time order: the old ones are at the front.
        int purged = 0;
        while (entries.TryPeek(out AuditEntry? oldest) && oldest.At < before.UtcDateTime && entries.TryDequeue(out _))
        {
            purged++;
        }

        return Task.FromResult(purged);
    }
}
