namespace GitOps.Orchestrations.Git;

/// <summary>The network round trips one owner (a checkout, a repository view) made: what the "no fetch when nothing moved" promises are measured by.</summary>
public sealed class GitTraffic
{
    long lsRemotes;
    long fetches;

    public long LsRemotes => Interlocked.Read(ref lsRemotes);

    public long Fetches => Interlocked.Read(ref fetches);

    internal void LsRemote() => Interlocked.Increment(ref lsRemotes);

    internal void Fetch() => Interlocked.Increment(ref fetches);
}
