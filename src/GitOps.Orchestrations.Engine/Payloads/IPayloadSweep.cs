namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// A payload store that can forget what no run names any more: retention calls it once the runs
/// that named content are purged. Content is shared by every run of the same snapshot, so what
/// goes is what was last written or touched (<see cref="StoredPayloads.Put"/> touches content it
/// uses again) before a cutoff and is named by no run that still exists.
/// </summary>
public interface IPayloadSweep
{
    /// <summary>
    /// Deletes content last written or touched before <paramref name="cutoff"/>, except what
    /// <paramref name="keep"/> names; content touched while the sweep runs stays. Returns how much went.
    /// </summary>
    Task<int> SweepAsync(DateTimeOffset cutoff, IReadOnlySet<string> keep, CancellationToken cancellationToken = default);
}
