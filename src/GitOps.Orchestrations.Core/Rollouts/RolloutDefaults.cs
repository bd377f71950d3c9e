namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>What a Rollout means when it does not say, in one place (as Argo Rollouts keeps its defaults).</summary>
public static class RolloutDefaults
{
    /// <summary>The kind of workload a rollout changes; the only one this version rolls out.</summary>
    public const string TargetKind = "Deployment";

    public const string Namespace = "default";

    /// <summary>How long a step may take to become ready before the rollout aborts.</summary>
    public static readonly TimeSpan ProgressDeadline = TimeSpan.FromMinutes(10);

    /// <summary>How long canary pods stay after an abort, so traffic drains before they go.</summary>
    public static readonly TimeSpan AbortScaleDownDelay = TimeSpan.FromSeconds(30);

    /// <summary>How long an approval step waits for people before <see cref="ApprovalOnTimeout"/>.</summary>
    public static readonly TimeSpan ApprovalTimeout = TimeSpan.FromDays(7);

    /// <summary>What an approval step does when nobody decided in time: abort (or promote).</summary>
    public const string ApprovalOnTimeout = "abort";

    /// <summary>Blue-green promotes once the preview is ready, unless told to wait for a person.</summary>
    public const bool AutoPromotionEnabled = true;

    /// <summary>How long the old ReplicaSet stays after a blue-green switch, for a fast rollback.</summary>
    public static readonly TimeSpan ScaleDownDelay = TimeSpan.FromSeconds(30);
}
