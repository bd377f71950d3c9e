using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Promotion;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

/// <summary>The body of <c>POST /api/pipelines/{name}/promote</c> and <c>…/approvals</c>.</summary>
public sealed record PipelineActionRequest
{
    public string? Stage { get; init; }

    public string? Freight { get; init; }

    /// <summary>approvals only: approve or reject.</summary>
    public string? Decision { get; init; }

    public string? Comment { get; init; }
}

/// <summary>
/// <c>GET /api/pipelines/{name}</c>: the pipeline's status as its orchestration publishes it, and the
/// stages × freight board worked out from it and the branch's definition of the pipeline.
/// </summary>
public sealed record PipelineDetail(string Pipeline, DateTimeOffset At, IReadOnlyList<Freight> Freight, IReadOnlyDictionary<string, StageState> Stages, PipelineBoard? Board);

/// <summary>A pipeline of the branch, and where it is when it runs.</summary>
public sealed record PipelineView(string Name, IReadOnlyList<string> Stages, PipelineStatus? Status);

public sealed partial class GitOpsApi
{
    public Task<IResult> ListPipelines(HttpContext http) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        CatalogAtRevision current = await repository.CurrentAsync(http.RequestAborted);
        var views = new List<PipelineView>();
        foreach (PipelineDefinition pipeline in current.Catalog.Pipelines.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            views.Add(new PipelineView(pipeline.Name, pipeline.Stages.Select(s => s.Name).ToList(), await runs.GetPipelineAsync(pipeline.Name, http.RequestAborted)));
        }

        return Ok(views);
    });

    public Task<IResult> GetPipeline(HttpContext http, string name) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        PipelineStatus status = await RequirePipeline(name, http.RequestAborted);
        CatalogAtRevision current = await repository.CurrentAsync(http.RequestAborted);
        PipelineBoard? board = current.Catalog.Pipelines.TryGetValue(name, out PipelineDefinition? definition)
            ? PipelineBoards.Of(
                definition,
                status.Freight.Select(f => f.Id).ToList(),
                status.Stages.ToDictionary(s => s.Key, s => new StageMemory(s.Value.Current, s.Value.Verified, s.Value.Failed, s.Value.Approvals), StringComparer.Ordinal),
                clock.GetUtcNow())
            : null;
        return Ok(new PipelineDetail(status.Pipeline, status.At, status.Freight, status.Stages, board));
    });

    /// <summary>Promotes a freight into a stage on request: past autoPromote off, or back to an older freight (rollback). Soak, approvals and freezes still apply.</summary>
    public Task<IResult> PromotePipeline(HttpContext http, string name) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Operator, "promote", PipelineInput.InstanceId(name));
        (PipelineActionRequest request, _, _) = await PipelineAction(http, name, await ReadBody<PipelineActionRequest>(http));
        await runs.CommandPipelineAsync(name, new PipelineCommand("promote", request.Stage!, request.Freight!, caller.User, caller.Groups, request.Comment), http.RequestAborted);
        await Record(caller, "promote", PipelineInput.InstanceId(name), $"{request.Stage}/{request.Freight}", "accepted", request.Comment);
        return Ok(new { pipeline = name, stage = request.Stage, freight = request.Freight, action = "promote", by = caller.User }, StatusCodes.Status202Accepted);
    });

    public Task<IResult> DecidePipeline(HttpContext http, string name) => Guard(http, async () =>
    {
        // The role is checked before anything about the request is: a viewer learns no stage or freight from a 422.
        (PipelineActionRequest? body, ApiProblemException? unreadable) = await TryReadBody<PipelineActionRequest>(http);
        Caller caller = await Authorize(http, Role.Approver, body?.Decision is "approve" or "reject" ? body.Decision : "decide", PipelineInput.InstanceId(name), body is null ? null : $"{body.Stage}/{body.Freight}");
        (PipelineActionRequest request, StageDefinition stage, PipelineStatus status) = await PipelineAction(http, name, body ?? throw unreadable ?? ApiProblemException.BadRequest("the body must be {\"stage\": \"...\", \"freight\": \"...\", \"decision\": \"approve\" | \"reject\"}"));
        if (request.Decision is not ("approve" or "reject"))
        {
            throw ApiProblemException.Invalid($"decision must be approve or reject, not '{request.Decision}'");
        }

        if (stage.Rules.Approval is not { } policy)
        {
            throw ApiProblemException.Conflict($"stage '{stage.Name}' of pipeline '{name}' takes no approvals");
        }

        if (request.Decision == "approve" && status.Stages.GetValueOrDefault(stage.Name)?.Approvals.GetValueOrDefault(request.Freight!) is { } decided
            && decided.Any(d => d.Decision == "approve" && d.By == caller.User))
        {
            throw ApiProblemException.Conflict($"'{caller.User}' already approved freight '{request.Freight}' for stage '{stage.Name}'; the quorum counts distinct people");
        }

        if (policy.Refusal(caller.User, caller.Groups, ["server"]) is string refusal)
        {
            await Record(caller, request.Decision, PipelineInput.InstanceId(name), $"{request.Stage}/{request.Freight}", "refused", refusal);
            throw ApiProblemException.Forbidden(refusal);
        }

        await runs.CommandPipelineAsync(name, new PipelineCommand(request.Decision, stage.Name, request.Freight!, caller.User, caller.Groups, request.Comment), http.RequestAborted);
        await Record(caller, request.Decision, PipelineInput.InstanceId(name), $"{request.Stage}/{request.Freight}", "accepted", request.Comment);
        return Ok(new { pipeline = name, stage = stage.Name, freight = request.Freight, decision = request.Decision, by = caller.User, quorum = policy.Quorum }, StatusCodes.Status202Accepted);
    });

    /// <summary>Checks a request against the pipeline of the branch and where it runs; call it only for an authorized caller.</summary>
    async Task<(PipelineActionRequest Request, StageDefinition Stage, PipelineStatus Status)> PipelineAction(HttpContext http, string name, PipelineActionRequest? body)
    {
        PipelineActionRequest request = body ?? throw ApiProblemException.BadRequest("the body must be {\"stage\": \"...\", \"freight\": \"...\"}");
        CheckFreeText("comment", request.Comment);
        PipelineDefinition pipeline = (await repository.CurrentAsync(http.RequestAborted)).Catalog.Pipelines.GetValueOrDefault(name) ?? throw ApiProblemException.NotFound($"no pipeline '{name}' on the branch");
        StageDefinition stage = pipeline.Stages.FirstOrDefault(s => s.Name == request.Stage)
            ?? throw ApiProblemException.Invalid($"pipeline '{name}' has no stage '{request.Stage}' (stages: {string.Join(", ", pipeline.Stages.Select(s => s.Name))})");
        PipelineStatus status = await RequirePipeline(name, http.RequestAborted);
        if (!status.Freight.Any(f => f.Id == request.Freight))
        {
            throw ApiProblemException.Invalid($"pipeline '{name}' knows no freight '{request.Freight}' (known: {string.Join(", ", status.Freight.Select(f => f.Id))})");
        }

        return (request, stage, status);
    }

    async Task<PipelineStatus> RequirePipeline(string name, CancellationToken cancellationToken) =>
        await runs.GetPipelineAsync(name, cancellationToken) ?? throw ApiProblemException.NotFound($"pipeline '{name}' is not running");
}
