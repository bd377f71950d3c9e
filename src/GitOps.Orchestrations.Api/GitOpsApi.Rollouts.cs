using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

/// <summary>The body of <c>POST /api/runs/{id}/rollouts/{node}/promote|abort|retry</c>; the reason goes to the rollout's events and the audit log.</summary>
public sealed record RolloutActionRequest
{
    /// <summary>promote only: skip every remaining step.</summary>
    public bool Full { get; init; }

    public string? Reason { get; init; }
}

public sealed partial class GitOpsApi
{
    public Task<IResult> ListRollouts(HttpContext http, string id) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        return Ok(await runs.GetRolloutsAsync(id, http.RequestAborted));
    });

    public Task<IResult> PromoteRollout(HttpContext http, string id, string node) => Guard(http, async () =>
    {
        (Caller caller, RolloutActionRequest request, _) = await RunningRollout(http, id, node, "promote");
        RolloutAction command = request.Full ? RolloutAction.PromoteFull : RolloutAction.Promote;
        string action = command.Wire();
        await runs.CommandRolloutAsync(id, node, new RolloutCommand(command, caller.User, request.Reason), http.RequestAborted);
        await Record(caller, action, id, node, "accepted", request.Reason);
        return Ok(new { run = id, node, action, by = caller.User }, StatusCodes.Status202Accepted);
    });

    public Task<IResult> AbortRollout(HttpContext http, string id, string node) => Guard(http, async () =>
    {
        (Caller caller, RolloutActionRequest request, _) = await RunningRollout(http, id, node, "abort");
        await runs.CommandRolloutAsync(id, node, new RolloutCommand(RolloutAction.Abort, caller.User, request.Reason), http.RequestAborted);
        await Record(caller, "abort", id, node, "accepted", request.Reason);
        return Ok(new { run = id, node, action = "abort", by = caller.User }, StatusCodes.Status202Accepted);
    });

    /// <summary>After an abort: the run is retried, so the rollout starts again from its first step, pinned to the same commit.</summary>
    public Task<IResult> RetryRollout(HttpContext http, string id, string node) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Operator, "retry", id, node);
        RolloutActionRequest request = await ReadBody<RolloutActionRequest>(http) ?? new RolloutActionRequest();
        CheckFreeText("reason", request.Reason);
        RolloutView rollout = await FindRollout(id, node, http.RequestAborted);
        if (rollout.Running || rollout.Status?.Phase != RolloutPhase.Degraded)
        {
            throw ApiProblemException.Conflict($"rollout '{node}' of run '{id}' is {(rollout.Running ? "still running" : rollout.Status?.Phase.ToString() ?? "unknown")}; only an aborted (Degraded) rollout is retried");
        }

        return await RetryAsync(http, caller, id, node, request.Reason);
    });

    async Task<(Caller Caller, RolloutActionRequest Request, RolloutView Rollout)> RunningRollout(HttpContext http, string id, string node, string action)
    {
        Caller caller = await Authorize(http, Role.Operator, action, id, node);
        RolloutActionRequest request = await ReadBody<RolloutActionRequest>(http) ?? new RolloutActionRequest();
        CheckFreeText("reason", request.Reason);
        if (request.Full && action != "promote")
        {
            throw ApiProblemException.Invalid("full applies to promote only");
        }

        RolloutView rollout = await FindRollout(id, node, http.RequestAborted);
        if (!rollout.Running)
        {
            throw ApiProblemException.Conflict($"rollout '{node}' of run '{id}' already ended {rollout.Status?.Phase}");
        }

        return (caller, request, rollout);
    }

    async Task<RolloutView> FindRollout(string id, string node, CancellationToken cancellationToken)
    {
        IReadOnlyList<RolloutView> rollouts = await runs.GetRolloutsAsync(id, cancellationToken);
        return rollouts.FirstOrDefault(r => r.Node == node)
            ?? throw ApiProblemException.NotFound($"run '{id}' has no rollout at node '{node}' (rollouts: {(rollouts.Count == 0 ? "none" : string.Join(", ", rollouts.Select(r => r.Node)))})");
    }
}
