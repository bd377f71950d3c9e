using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>The rules a stage applies before it takes freight from upstream.</summary>
public sealed record StageRules
{
    public TimeSpan RequiredSoakTime { get; init; }

    public ApprovalPolicy? Approval { get; init; }

    public IReadOnlyList<FreezeWindow> FreezeWindows { get; init; } = [];

    public bool AutoPromote { get; init; }
}

/// <summary>What is true of one freight for one stage now.</summary>
/// <param name="VerifiedUpstream">When each upstream stage verified this freight; null for one that has not. Empty for a stage fed by sources.</param>
/// <param name="ApprovedBy">The distinct people whose approval of this freight for this stage counts.</param>
/// <param name="Requested">Someone asked for this promotion (a manual promote), so autoPromote does not matter.</param>
public sealed record StageFacts(IReadOnlyDictionary<string, DateTimeOffset?> VerifiedUpstream, IReadOnlyCollection<string> ApprovedBy, DateTimeOffset Now, bool Requested = false);

public enum GateState
{
    Promote,
    WaitForUpstream,
    Soaking,
    WaitForApproval,
    Frozen,
    WaitForRequest,
}

/// <param name="Until">For Soaking and Frozen: when to look again (a durable timer); otherwise null, as an event decides.</param>
public sealed record GateDecision(GateState State, string Reason, DateTimeOffset? Until = null);

/// <summary>
/// Whether a stage may promote a freight now, and if not, what it waits for. The checks run in a
/// fixed order: every upstream stage has verified this very freight (so a newer freight arriving
/// mid-verification never lets an unverified one through), the soak time since the last of those
/// verifications has passed, the approvals meet the quorum, no freeze window is open, and the stage
/// promotes automatically or someone asked. Pure: a pipeline orchestration feeds it facts and waits
/// on the timer or event the decision names.
/// </summary>
public static class StageGate
{
    public static GateDecision Decide(StageRules rules, StageFacts facts)
    {
        List<string> unverified = facts.VerifiedUpstream.Where(u => u.Value is null).Select(u => u.Key).Order(StringComparer.Ordinal).ToList();
        if (unverified.Count > 0)
        {
            return new GateDecision(GateState.WaitForUpstream, $"not yet verified in {string.Join(", ", unverified)}");
        }

        if (rules.RequiredSoakTime > TimeSpan.Zero && facts.VerifiedUpstream.Count > 0)
        {
            DateTimeOffset soaked = facts.VerifiedUpstream.Values.Max()!.Value + rules.RequiredSoakTime;
            if (facts.Now < soaked)
            {
                return new GateDecision(GateState.Soaking, $"soaking until {soaked:u} ({Durations.Format(soaked - facts.Now)} left)", soaked);
            }
        }

        if (rules.Approval is { } policy && facts.ApprovedBy.Count < policy.Quorum)
        {
            return new GateDecision(GateState.WaitForApproval, $"{facts.ApprovedBy.Count}/{policy.Quorum} approvals");
        }

        if (FreezeWindow.ClosedAfter(rules.FreezeWindows, facts.Now) is DateTimeOffset thaw)
        {
            return new GateDecision(GateState.Frozen, $"frozen until {thaw:u}", thaw);
        }

        return rules.AutoPromote || facts.Requested
            ? new GateDecision(GateState.Promote, facts.Requested ? "requested" : "every condition holds")
            : new GateDecision(GateState.WaitForRequest, "autoPromote is off: waiting for someone to promote");
    }
}
