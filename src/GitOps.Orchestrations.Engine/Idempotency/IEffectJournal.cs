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
}

/// <summary>The journal of the embedded backend, which lives exactly as long as the process and its runs.</summary>
public sealed class InMemoryEffectJournal : IEffectJournal
{
    readonly ConcurrentDictionary<string, string> effects = new(StringComparer.Ordinal);

    public Task<string?> TryGetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(effects.TryGetValue(key, out string? result) ? result : null);

    public Task RecordAsync(string key, string result, CancellationToken cancellationToken = default)
    {
        effects[key] = result;
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimAsync(string key, string owner, CancellationToken cancellationToken = default) =>
        Task.FromResult(effects.TryAdd(key, owner));
}
