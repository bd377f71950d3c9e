namespace GitOps.Orchestrations.Core.Notifications;

/// <summary>
/// What a subscription can be notified of, by the names subscriptions use (<c>on: [run-failed]</c>),
/// in Argo CD Notifications' manner: one name per thing that happened, never a condition to write.
/// </summary>
public static class NotificationTriggers
{
    public const string RunStarted = "run-started";
    public const string RunSucceeded = "run-succeeded";
    public const string RunFailed = "run-failed";
    public const string GateWaiting = "gate-waiting";
    public const string GateDecided = "gate-decided";
    public const string RolloutStep = "rollout-step";
    public const string RolloutPaused = "rollout-paused";
    public const string RolloutAborted = "rollout-aborted";
    public const string RolloutPromoted = "rollout-promoted";
    public const string AnalysisInconclusive = "analysis-inconclusive";
    public const string FreightPromoted = "freight-promoted";
    public const string FreightVerified = "freight-verified";
    public const string FreightFailed = "freight-failed";
    public const string FreezeHolding = "freeze-holding";

    /// <summary>Every trigger, with the headline its default message starts with.</summary>
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RunStarted] = "Run started",
        [RunSucceeded] = "Run succeeded",
        [RunFailed] = "Run failed",
        [GateWaiting] = "Approval waiting",
        [GateDecided] = "Approval decided",
        [RolloutStep] = "Rollout step reached",
        [RolloutPaused] = "Rollout paused",
        [RolloutAborted] = "Rollout aborted",
        [RolloutPromoted] = "Rollout promoted",
        [AnalysisInconclusive] = "Analysis inconclusive",
        [FreightPromoted] = "Freight promoted",
        [FreightVerified] = "Freight verified",
        [FreightFailed] = "Freight failed",
        [FreezeHolding] = "Freeze window holding a promotion",
    };
}
