namespace GitOps.Orchestrations.Core.Planning;

/// <summary>
/// The holders of one named lock and the runs waiting for it, in the order they asked, with the
/// rules that move runs between them. Pure, so the durable lock that keeps it replays it exactly.
/// Asking twice changes nothing (a request is delivered at least once), and a lower limit takes
/// nothing away from a holder: it only stops new grants until enough holders have let go.
/// </summary>
public sealed record LockQueue
{
    /// <summary>How many runs may hold the lock at once: 1 for a mutex.</summary>
    public int Limit { get; init; } = 1;

    public IReadOnlyList<string> Holders { get; init; } = [];

    public IReadOnlyList<string> Waiting { get; init; } = [];

    public bool IsIdle => Holders.Count == 0 && Waiting.Count == 0;

    /// <summary>
    /// <paramref name="run"/> asks for the lock; the limit it declares becomes the lock's, so a
    /// semaphore resized in Git takes effect with the next run that asks.
    /// </summary>
    public LockQueue Ask(string run, int limit) =>
        Holders.Contains(run) || Waiting.Contains(run) ? this with { Limit = limit } : this with { Limit = limit, Waiting = [.. Waiting, run] };

    /// <summary>The runs let go (they ended, or stopped waiting); unknown runs are ignored.</summary>
    public LockQueue Release(IReadOnlyCollection<string> runs) => this with
    {
        Holders = [.. Holders.Where(r => !runs.Contains(r))],
        Waiting = [.. Waiting.Where(r => !runs.Contains(r))],
    };

    /// <summary>Moves waiting runs, first come first served, into the room the limit leaves; returns those granted.</summary>
    public (LockQueue Next, IReadOnlyList<string> Granted) Grant()
    {
        int room = Math.Max(0, Limit - Holders.Count);
        List<string> granted = [.. Waiting.Take(room)];
        return (this with { Holders = [.. Holders, .. granted], Waiting = [.. Waiting.Skip(granted.Count)] }, granted);
    }
}
