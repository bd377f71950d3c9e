using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// <c>uses: approval</c>: a manual gate. It waits for an <see cref="ApprovalDecision"/> event (raised by
/// the CLI, the HTTP API or anyone holding a Durable client) or for its timeout, then applies
/// <c>onTimeout</c>. A rejection fails the node and is never retried.
/// </summary>
public sealed class ApprovalTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("approval", new Dictionary<string, FieldSpec>
    {
        ["timeout"] = new(FieldKind.Duration),
        ["onTimeout"] = new(FieldKind.String, AllowedValues: ["approve", "reject"]),
        ["message"] = new(FieldKind.String),
    });

    /// <summary>The gate waits this long when the workflow does not say.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromDays(7);

    public static string EventName(string nodePath) => $"approval:{nodePath}";

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        TimeSpan timeout = step.GetDuration("timeout") ?? DefaultTimeout;
        string onTimeout = step.GetString("onTimeout") ?? "reject";
        DateTime deadline = context.CurrentUtcDateTime + timeout;
        var records = new List<ApprovalRecord>();

        using var cancelTimer = CancellationTokenSource.CreateLinkedTokenSource(step.Cancellation);
        Task timer = context.CreateTimer(deadline, cancelTimer.Token);
        step.Report(new StepProgress(step.GetString("message") ?? "waiting for approval", EventName(step.Path)));
        while (true)
        {
            using var cancelWait = CancellationTokenSource.CreateLinkedTokenSource(step.Cancellation);
            Task<ApprovalDecision> decision = context.WaitForExternalEvent<ApprovalDecision>(EventName(step.Path), cancelWait.Token);
            if (await Task.WhenAny(decision, timer) == timer)
            {
                if (step.Cancellation.IsCancellationRequested)
                {
                    return StepResult.Failed("cancelled while waiting for approval");
                }

                cancelWait.Cancel();
                bool approve = onTimeout == "approve";
                records.Add(new ApprovalRecord(approve ? "approve" : "reject", "timeout", context.CurrentUtcDateTime, $"no decision within {Durations.Format(timeout)}"));
                return Outcome(approve, "timeout", records, $"timed out after {Durations.Format(timeout)}; onTimeout: {onTimeout}");
            }

            ApprovalDecision received = await decision;
            if (received.Decision is not ("approve" or "reject"))
            {
                // A malformed decision is recorded, not acted on: the gate keeps waiting for a real one.
                records.Add(new ApprovalRecord($"invalid:{received.Decision}", received.By, context.CurrentUtcDateTime, received.Comment));
                continue;
            }

            cancelTimer.Cancel();
            records.Add(new ApprovalRecord(received.Decision, received.By, context.CurrentUtcDateTime, received.Comment));
            return Outcome(received.Decision == "approve", received.By, records, received.Comment);
        }
    }

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

/// <summary>The payload of an approval event.</summary>
public sealed record ApprovalDecision(string Decision, string By, string? Comment = null);
