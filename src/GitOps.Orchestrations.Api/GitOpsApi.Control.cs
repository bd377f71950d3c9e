using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

/// <summary>The body of the control routes; the reason is recorded in the audit log.</summary>
public sealed record ControlRequest
{
    public string? Reason { get; init; }

    /// <summary>terminate only: end the run and what it started at once, without letting it stop its rollouts.</summary>
    public bool Force { get; init; }
}

public sealed partial class GitOpsApi
{
    /// <summary>
    /// Stops a run: it aborts its rollouts, stops what it started and ends Terminated. A suspended
    /// run cannot take that request, so it (or any run, with <c>force</c>) is terminated at once,
    /// children included, through the backend.
    /// </summary>
    public Task<IResult> Terminate(HttpContext http, string id) => Control(http, id, "terminate", (run, request, caller, ct) =>
        run.Phase.IsTerminal() ? throw ApiProblemException.Conflict($"run '{id}' already ended {run.Phase}")
        : run.Suspended || request.Force ? runs.TerminateAsync(id, new StopRequest(caller.User, request.Reason).Describe(), ct)
        : runs.StopAsync(id, caller.User, request.Reason, ct));

    public Task<IResult> Suspend(HttpContext http, string id) => Control(http, id, "suspend", (run, request, caller, ct) =>
        run.Phase == WorkflowPhase.Running && !run.Suspended ? runs.SuspendAsync(id, Reason("suspended", caller, request), ct) : throw ApiProblemException.Conflict($"run '{id}' is {Describe(run)}; only a running run can be suspended"));

    public Task<IResult> Resume(HttpContext http, string id) => Control(http, id, "resume", (run, request, caller, ct) =>
        run.Suspended ? runs.ResumeAsync(id, Reason("resumed", caller, request), ct) : throw ApiProblemException.Conflict($"run '{id}' is {Describe(run)}; only a suspended run can be resumed"));

    static string Reason(string done, Caller caller, ControlRequest request) =>
        $"{done} by {caller.User}" + (string.IsNullOrWhiteSpace(request.Reason) ? string.Empty : $": {request.Reason}");

    public Task<IResult> Retry(HttpContext http, string id) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Operator, "retry", id);
        ControlRequest request = await ReadBody<ControlRequest>(http) ?? new ControlRequest();
        CheckFreeText("reason", request.Reason);
        return await RetryAsync(http, caller, id, null, request.Reason);
    });

    /// <summary>Retries a run as a new one, records it, and answers 202 with the new run's links.</summary>
    async Task<IResult> RetryAsync(HttpContext http, Caller caller, string id, string? node, string? reason)
    {
        string newId = await runs.RetryAsync(id, caller.User, http.RequestAborted);
        await Record(caller, "retry", id, node, "accepted", $"retried as {newId}" + (reason is null ? string.Empty : $": {reason}"));
        RunStatus started = await RequireRun(newId, http.RequestAborted);
        RunLinks links = Links(http, newId, started.Workflow, started.Revision);
        http.Response.Headers.Location = links.StatusQueryGetUri;
        return Ok(links, StatusCodes.Status202Accepted);
    }

    Task<IResult> Control(HttpContext http, string id, string action, Func<RunStatus, ControlRequest, Caller, CancellationToken, Task> act) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Operator, action, id);
        ControlRequest request = await ReadBody<ControlRequest>(http) ?? new ControlRequest();
        CheckFreeText("reason", request.Reason);
        if (request.Force && action != "terminate")
        {
            throw ApiProblemException.Invalid("force applies to terminate only");
        }

        RunStatus run = await RequireRun(id, http.RequestAborted);
        await act(run, request, caller, http.RequestAborted);
        await Record(caller, action, id, null, "accepted", request.Reason);
        logger.RunChanged(caller.User, action, id);
        return Ok(new { id, action, by = caller.User, reason = request.Reason, force = request.Force }, StatusCodes.Status202Accepted);
    });

    static string Describe(RunStatus run) => run.Suspended ? "suspended" : run.Phase.ToString();
}
