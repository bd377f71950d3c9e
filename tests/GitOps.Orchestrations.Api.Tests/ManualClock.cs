namespace GitOps.Orchestrations.Api.Tests;

/// <summary>A clock the test moves by hand, so schedule slots come when the test says.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Set(DateTimeOffset at) => now = at;
}
