namespace GitOps.Orchestrations.Testing;

/// <summary>A clock the test moves by hand, so schedule slots, retention cutoffs and the like come when the test says.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Set(DateTimeOffset at) => now = at;
}
