namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// A person's request that a run stop: the run stops its nodes, aborts its rollouts (traffic back
/// to stable), stops its sub-workflows and analyses, waits at most <see cref="RunStop.Grace"/> for
/// them, runs its exit handler, and ends Terminated with what it stopped in its message.
/// </summary>
public sealed record StopRequest(string By, string? Reason = null)
{
    /// <summary>The host's signature (<see cref="Approvals.ApprovalAuthority"/>); a stop without it is ignored.</summary>
    public string? Proof { get; init; }

    /// <summary>How the run's message says it ended.</summary>
    public string Describe() => $"terminated by {By}" + (string.IsNullOrWhiteSpace(Reason) ? string.Empty : $": {Reason}");
}

public static class RunStop
{
    /// <summary>The event a run, a fan-out chunk or a sub-workflow listens on for a stop.</summary>
    public const string Event = "gitops-stop";

    /// <summary>How long a stopping run (or a run past its deadline) waits for what it started to stop.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);
}
