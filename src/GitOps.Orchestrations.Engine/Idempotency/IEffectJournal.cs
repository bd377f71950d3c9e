using System.Collections.Concurrent;

namespace GitOps.Orchestrations.Engine.Idempotency;

/// <summary>
/// Remembers which activity effects already happened, by idempotency key, with their result. An
/// activity redelivered after a crash finds its key and returns the recorded result instead of acting
/// again. The window between acting and recording is closed by sending the same key to the target
/// (an <c>Idempotency-Key</c> header), so the target can deduplicate too.
/// </summary>
public interface IEffectJournal
{
    Task<string?> TryGetAsync(string key, CancellationToken cancellationToken = default);

    Task RecordAsync(string key, string result, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="key"/> only if nobody has: true for exactly one caller across every
    /// process sharing the journal. Schedules claim their slots through this.
    /// </summary>
    Task<bool> TryClaimAsync(string key, string owner, CancellationToken cancellationToken = default);

    /// <summary>Forgets entries recorded before <paramref name="before"/>, whose runs retention has purged; how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>The journal of the embedded backend, which lives exactly as long as the process and its runs.</summary>
public sealed class InMemoryEffectJournal : IEffectJournal
{
    readonly ConcurrentDictionary<string, (string Result, DateTimeOffset At)> effects = new(StringComparer.Ordinal);

    public Task<string?> TryGetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(effects.TryGetValue(key, out var found) ? found.Result : null);

    public Task RecordAsync(string key, string result, CancellationToken cancellationToken = default)
    {
        effects[key] = (result, DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimAsync(string key, string owner, CancellationToken cancellationToken = default) =>
        Task.FromResult(effects.TryAdd(key, (owner, DateTimeOffset.UtcNow)));

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        int purged = 0;
        foreach (var (key, entry) in effects)
        {
            if (entry.At < before && effects.TryRemove(key, out _))
            {
                purged++;
            }
        }

        return Task.FromResult(purged);
    }
}
