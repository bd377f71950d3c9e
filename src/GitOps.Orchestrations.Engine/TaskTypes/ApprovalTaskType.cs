using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Orchestrators;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// <c>uses: approval</c>: a manual gate. It collects <see cref="ApprovalDecision"/> events (raised by
/// the HTTP API, the CLI or anyone holding a Durable client) until <c>quorum</c> distinct listed
/// approvers approve, one of them rejects, or the timeout applies <c>onTimeout</c>. Every decision,
/// including the ones the gate refuses, is kept in the node's record. A rejection is never retried.
/// </summary>
public sealed class ApprovalTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("approval", new Dictionary<string, FieldSpec>
    {
        // Who decides is written in Git, never templated: a policy from params would let the starter choose their approvers.
        ["approvers"] = new(FieldKind.StringList, Literal: true),
        ["quorum"] = new(FieldKind.Number, Literal: true),
        ["allowSelfApproval"] = new(FieldKind.Boolean, Literal: true),
        ["timeout"] = new(FieldKind.Duration),
        ["onTimeout"] = new(FieldKind.String, AllowedValues: ["approve", "reject"], Literal: true),
        ["message"] = new(FieldKind.String),
    }, Result: "decision");

    /// <summary>The gate waits this long when the workflow does not say.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromDays(7);

    public static string EventName(string nodePath) => $"approval:{nodePath}";

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        TimeSpan timeout = step.GetDuration("timeout") ?? DefaultTimeout;
        string onTimeout = step.GetString("onTimeout") ?? "reject";
        var gate = new PendingGate
        {
            Node = step.Path,
            Policy = PolicyOf(step),
            Message = step.GetString("message"),
            WaitingSince = context.CurrentUtcDateTime,
            Deadline = context.CurrentUtcDateTime + timeout,
            OnTimeout = onTimeout,
        };
        ApprovalResult result = await WaitAsync(context, gate, new GateAuthority(step.Approvals, step.RunId, step.Starters), step.Report, step.Cancellation);
        return result.Cancelled
            ? StepResult.Failed("cancelled while waiting for approval")
            : Outcome(result.Approved, result.By, result.Records, result.Comment);
    }

    /// <summary>
    /// Waits at <paramref name="gate"/> for decisions until the quorum approves, one listed approver
    /// rejects, or the deadline applies the gate's onTimeout. Shared by this task type and the
    /// approval step of a rollout, so both keep the same rules and the same record.
    /// </summary>
    public static async Task<ApprovalResult> WaitAsync(TaskOrchestrationContext context, PendingGate gate, GateAuthority authority, Action<StepProgress> report, CancellationToken cancellation)
    {
        ApprovalPolicy policy = gate.Policy;
        var records = new List<ApprovalRecord>();
        var approvedBy = new HashSet<string>(StringComparer.Ordinal);
        TimeSpan timeout = gate.Deadline - gate.WaitingSince;

        using TimerScope deadline = context.StartTimer(gate.Deadline, cancellation);
        Task timer = deadline.Fired;
        void Report() => report(new StepProgress(Waiting(gate.Message, approvedBy.Count, policy.Quorum), gate with { Decisions = [.. records] }));
        Report();
        Task cancelled = cancellation.WhenCancelled();
        while (!cancellation.IsCancellationRequested)
        {
            // Not cancelled through the SDK: see OrchestrationWaits for why.
            Task<ApprovalDecision> decision = context.WaitForExternalEvent<ApprovalDecision>(EventName(gate.Node), CancellationToken.None);
            Task first = await Task.WhenAny(decision, timer, cancelled);
            if (first == cancelled || cancellation.IsCancellationRequested)
            {
                return new ApprovalResult(false, string.Empty, records, null) { Cancelled = true };
            }

            if (first == timer)
            {
                bool approve = gate.OnTimeout is "approve" or "promote";
                records.Add(new ApprovalRecord(approve ? "approve" : "reject", "timeout", context.CurrentUtcDateTime, $"no decision within {Durations.Format(timeout)}"));
                return new ApprovalResult(approve, "timeout", records, $"timed out after {Durations.Format(timeout)}; onTimeout: {gate.OnTimeout}");
            }

            ApprovalDecision received = await decision;
            DateTime now = context.CurrentUtcDateTime;

            // The API refuses these before they get here; the gate checks again because any Durable
            // client can raise the event, and records the refusal instead of acting on it. A
            // decision without a host's proof is refused whoever it claims to come from.
            string? refusal = !authority.Approvals.Verifies(authority.RunId, gate.Node, received)
                ? ApprovalAuthority.Unproven
                : received.Decision is not ("approve" or "reject")
                ? $"'{received.Decision}' is not approve or reject"
                : policy.Refusal(received.By, received.Groups ?? [], authority.Starters);
            if (refusal is not null)
            {
                records.Add(new ApprovalRecord($"refused:{received.Decision}", received.By, now, refusal));
                Report();
                continue;
            }

            records.Add(new ApprovalRecord(received.Decision, received.By, now, received.Comment));
            if (received.Decision == "reject")
            {
                return new ApprovalResult(false, received.By, records, received.Comment);
            }

            approvedBy.Add(received.By);
            if (approvedBy.Count >= policy.Quorum)
            {
                return new ApprovalResult(true, string.Join(", ", approvedBy), records, received.Comment);
            }

            Report();
        }

        return new ApprovalResult(false, string.Empty, records, null) { Cancelled = true };
    }

    static ApprovalPolicy PolicyOf(StepInvocation step)
    {
        List<string> approvers = step.With.ValueKind == JsonValueKind.Object && step.With.TryGetProperty("approvers", out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(v => Core.Templating.Template.AsText(v)).ToList()
            : [];
        int quorum = int.TryParse(step.GetString("quorum"), out int q) && q > 0 ? q : 1;
        bool self = string.Equals(step.GetString("allowSelfApproval"), "true", StringComparison.OrdinalIgnoreCase);
        return new ApprovalPolicy(approvers, quorum, self);
    }

    static string Waiting(string? message, int approvals, int quorum) =>
        (message ?? "waiting for approval") + (quorum > 1 ? $" ({approvals}/{quorum} approvals)" : string.Empty);

    static StepResult Outcome(bool approved, string by, List<ApprovalRecord> records, string? comment)
    {
        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["decision"] = JsonSerializer.SerializeToElement(approved ? "approve" : "reject"),
            ["decidedBy"] = JsonSerializer.SerializeToElement(by),
            ["comment"] = JsonSerializer.SerializeToElement(comment ?? string.Empty),
        };
        return approved
            ? new StepResult(NodePhase.Succeeded, $"approved by {by}" + (string.IsNullOrEmpty(comment) ? string.Empty : $": {comment}")) { Outputs = outputs, Approvals = records }
            : new StepResult(NodePhase.Failed, $"rejected by {by}" + (string.IsNullOrEmpty(comment) ? string.Empty : $": {comment}")) { Outputs = outputs, Approvals = records, Retryable = false };
    }
}

/// <summary>
/// The payload of an approval event. <paramref name="By"/> and <paramref name="Groups"/> are the
/// identity the host authenticated; <see cref="Proof"/> is the host's signature over them
/// (<see cref="ApprovalAuthority"/>), without which the gate refuses the decision.
/// </summary>
public sealed record ApprovalDecision(string Decision, string By, string? Comment = null, IReadOnlyList<string>? Groups = null)
{
    public string? Proof { get; init; }
}

/// <summary>What a gate checks decisions against: the key, the run the decision must name, and who started the run's chain.</summary>
public sealed record GateAuthority(ApprovalAuthority Approvals, string RunId, IReadOnlyCollection<string> Starters);

/// <summary>How a gate was decided: approved or not, by whom, and every decision it received.</summary>
public sealed record ApprovalResult(bool Approved, string By, List<ApprovalRecord> Records, string? Comment)
{
    /// <summary>The step was stopped (a timeout or the run ending) before anyone decided.</summary>
    public bool Cancelled { get; init; }
}
