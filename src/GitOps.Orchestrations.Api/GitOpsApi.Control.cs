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
}

public sealed partial class GitOpsApi
{
    public Task<IResult> Terminate(HttpContext http, string id) => Control(http, id, "terminate", (run, reason, ct) =>
        !run.Phase.IsTerminal() ? runs.TerminateAsync(id, reason, ct) : throw ApiProblemException.Conflict($"run '{id}' already ended {run.Phase}"));

    public Task<IResult> Suspend(HttpContext http, string id) => Control(http, id, "suspend", (run, reason, ct) =>
        run.Phase == WorkflowPhase.Running && !run.Suspended ? runs.SuspendAsync(id, reason, ct) : throw ApiProblemException.Conflict($"run '{id}' is {Describe(run)}; only a running run can be suspended"));

    public Task<IResult> Resume(HttpContext http, string id) => Control(http, id, "resume", (run, reason, ct) =>
        run.Suspended ? runs.ResumeAsync(id, reason, ct) : throw ApiProblemException.Conflict($"run '{id}' is {Describe(run)}; only a suspended run can be resumed"));

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

    Task<IResult> Control(HttpContext http, string id, string action, Func<RunStatus, string, CancellationToken, Task> act) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Operator, action, id);
        ControlRequest request = await ReadBody<ControlRequest>(http) ?? new ControlRequest();
        CheckFreeText("reason", request.Reason);
        RunStatus run = await RequireRun(id, http.RequestAborted);
        string reason = request.Reason ?? $"{action} by {caller.User}";
        await act(run, reason, http.RequestAborted);
        await Record(caller, action, id, null, "accepted", reason);
        logger.RunChanged(caller.User, action, id);
        return Ok(new { id, action, by = caller.User, reason }, StatusCodes.Status202Accepted);
    });

    static string Describe(RunStatus run) => run.Suspended ? "suspended" : run.Phase.ToString();
}
