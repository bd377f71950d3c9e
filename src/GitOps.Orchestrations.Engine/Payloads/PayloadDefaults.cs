namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// The sizes that decide what stays in an orchestration's history and what moves to the payload
/// store. Azure Storage moves any message over about 45 KB to a blob that every replay fetches
/// again; these keep a run's input well under it, whatever the size of its workflow.
/// </summary>
public static class PayloadDefaults
{
    /// <summary>A workflow snapshot larger than this, serialized, is stored by content and named in the input.</summary>
    public const int SnapshotInlineBytes = 8 * 1024;

    /// <summary>
    /// Node states a checkpoint carries in the input: all of them while they fit, then a stored base
    /// and the nodes changed since it, and a new base once those no longer fit.
    /// </summary>
    public const int ProgressInlineBytes = 16 * 1024;

    public const int CacheEntries = 256;

    /// <summary>
    /// How often a process that goes on using stored content touches it in the store, so retention,
    /// which sweeps what nobody touched for longer than its run retention and this, leaves it.
    /// </summary>
    public static readonly TimeSpan TouchEvery = TimeSpan.FromDays(1);

    public const long CacheBytes = 256L * 1024 * 1024;
}
