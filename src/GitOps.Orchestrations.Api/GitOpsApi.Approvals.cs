using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Api;

/// <summary>The body of <c>POST /api/runs/{id}/approvals/{node}</c>.</summary>
public sealed record DecisionRequest
{
    public string? Decision { get; init; }

    public string? Comment { get; init; }
}

/// <summary>A gate waiting somewhere, as <c>GET /api/approvals</c> lists it.</summary>
/// <remarks>
/// <see cref="MayDecide"/> and <see cref="Refusal"/> answer for the caller: whether the API would
/// take their decision at this gate (role, listed approvers, self-approval), and if not, why.
/// </remarks>
public sealed record PendingApproval(string RunId, string Workflow, string Revision, string Node, ApprovalPolicy Policy, string? Message, DateTime WaitingSince, DateTime Deadline, string OnTimeout, IReadOnlyList<ApprovalRecord> Decisions, IReadOnlyList<string> ApprovedBy, bool MayDecide, string? Refusal);

public sealed partial class GitOpsApi
{
    public Task<IResult> Decide(HttpContext http, string id, string node) => Guard(http, async () =>
    {
        // The role is checked before anything about the request is: a caller who may not decide learns nothing from it.
        (DecisionRequest? body, ApiProblemException? unreadable) = await TryReadBody<DecisionRequest>(http);
        Caller caller = await Authorize(http, Role.Approver, body?.Decision is "approve" or "reject" ? body.Decision : "decide", id, node);
        DecisionRequest request = body ?? throw unreadable ?? ApiProblemException.BadRequest("the body must be {\"decision\": \"approve\" | \"reject\", \"comment\": \"...\"}");
        if (request.Decision is not ("approve" or "reject"))
        {
            throw ApiProblemException.Invalid($"decision must be approve or reject, not '{request.Decision}'");
        }

        CheckFreeText("comment", request.Comment);
        RunStatus run = await RequireRun(id, http.RequestAborted);
        PendingGate gate = run.Gates.FirstOrDefault(g => g.Node == node)
            ?? throw ApiProblemException.Conflict(run.Phase.IsTerminal()
                ? $"run '{id}' already ended {run.Phase}"
                : $"node '{node}' of run '{id}' is not waiting for a decision (waiting: {(run.Waiting.Count == 0 ? "none" : string.Join(", ", run.Waiting))})");

        if (gate.Policy.Refusal(caller.User, caller.Groups, run.Starters) is string refusal)
        {
            await Record(caller, request.Decision, id, node, "refused", refusal);
            throw ApiProblemException.Forbidden(refusal);
        }

        if (request.Decision == "approve" && gate.ApprovedBy.Contains(caller.User, StringComparer.Ordinal))
        {
            throw ApiProblemException.Conflict($"'{caller.User}' already approved '{node}'; the quorum counts distinct people");
        }

        // Raised first, then logged: an entry in the log always means the decision reached the gate.
        await runs.DecideAsync(id, node, new ApprovalDecision(request.Decision, caller.User, request.Comment, caller.Groups), http.RequestAborted);
        await Record(caller, request.Decision, id, node, "accepted", request.Comment);
        logger.RunChanged(caller.User, request.Decision, id);
        return Ok(new { run = id, node, decision = request.Decision, by = caller.User, quorum = gate.Policy.Quorum }, StatusCodes.Status202Accepted);
    });

    public Task<IResult> ListApprovals(HttpContext http) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Viewer);
        if (http.Request.Query["pending"].FirstOrDefault() is string pending && pending != "true")
        {
            throw ApiProblemException.BadRequest("only pending=true is listed here; past decisions are in GET /api/audit");
        }

        if (http.Request.Query["run"].FirstOrDefault() is { Length: > 0 } runId)
        {
            RunStatus run = await RequireRun(runId, http.RequestAborted);
            return Ok(run.Gates.Select(g => Pending(caller, run.Id, run.Workflow, run.Revision, run.Starters, g)).ToList());
        }

        return Ok((await PendingApprovals(http.RequestAborted)).Select(p => Pending(caller, p.Run.Id, p.Run.Workflow, p.Run.Revision, p.Run.Starters, p.Gate)).ToList());
    });

    static PendingApproval Pending(Caller caller, string runId, string workflow, string revision, IReadOnlyList<string> starters, PendingGate gate)
    {
        string? refusal = caller.Role < Role.Approver
            ? $"'{caller.User}' is {RoleName(caller.Role)}; deciding needs the approver role"
            : gate.Policy.Refusal(caller.User, caller.Groups, starters)
              ?? (gate.ApprovedBy.Contains(caller.User, StringComparer.Ordinal) ? $"'{caller.User}' already approved; the quorum counts distinct people" : null);
        return new PendingApproval(runId, workflow, revision, gate.Node, gate.Policy, gate.Message, gate.WaitingSince, gate.Deadline, gate.OnTimeout, gate.Decisions, gate.ApprovedBy, refusal is null, refusal);
    }

    /// <summary>Every gate waiting in every run that is still going, across pages of the task hub.</summary>
    internal async Task<List<(RunListItem Run, PendingGate Gate)>> PendingApprovals(CancellationToken cancellationToken)
    {
        var found = new List<(RunListItem, PendingGate)>();
        string? token = null;
        int scanned = 0;
        do
        {
            RunPage page = await runs.ListAsync(
                new RunQuery { Top = 500, ContinuationToken = token, RuntimeStatuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended] },
                cancellationToken);
            foreach (RunListItem run in page.Runs)
            {
                found.AddRange(run.Gates.Select(g => (run, g)));
            }

            scanned += page.Runs.Count;
            token = page.ContinuationToken;
        }
        while (token is not null && scanned < options.PendingApprovalScanLimit);

        return found;
    }
}
