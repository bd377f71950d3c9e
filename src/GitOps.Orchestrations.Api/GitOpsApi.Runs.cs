using System.Globalization;
using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

public sealed partial class GitOpsApi
{
    public Task<IResult> ListRuns(HttpContext http) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        IQueryCollection query = http.Request.Query;
        var runQuery = new RunQuery
        {
            Workflow = query["workflow"].FirstOrDefault(),
            Phase = query["phase"].FirstOrDefault() is string phase
                ? Enum.TryParse(phase, ignoreCase: true, out WorkflowPhase parsed) ? parsed : throw ApiProblemException.BadRequest($"phase '{phase}' is not one of {string.Join(", ", Enum.GetNames<WorkflowPhase>())}")
                : null,
            CreatedFrom = Time(query, "createdFrom"),
            CreatedTo = Time(query, "createdTo"),
            StartedBy = query["startedBy"].FirstOrDefault() is { Length: > 0 } startedBy ? startedBy : null,
            Top = query["top"].FirstOrDefault() is string top
                ? int.TryParse(top, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1000 ? n : throw ApiProblemException.BadRequest("top must be a whole number from 1 to 1000")
                : 50,
            ContinuationToken = query["continuationToken"].FirstOrDefault(),
        };
        try
        {
            return Ok(await runs.ListAsync(runQuery, http.RequestAborted));
        }
        catch (ArgumentException e)
        {
            throw ApiProblemException.BadRequest(e.Message);
        }
    });

    public Task<IResult> GetRun(HttpContext http, string id) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        return Ok(await RequireRun(id, http.RequestAborted));
    });

    /// <summary><c>GET /api/runs/{id}/graph</c>: the run's tasks and their <c>depends</c> edges, from its pinned snapshot.</summary>
    public Task<IResult> GetRunGraph(HttpContext http, string id) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        return Ok(new { run = id, nodes = await runs.GetGraphAsync(id, http.RequestAborted) ?? throw new RunNotFoundException(id) });
    });

    public Task<IResult> ListAudit(HttpContext http) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        string? run = http.Request.Query["run"].FirstOrDefault();
        int top = http.Request.Query["top"].FirstOrDefault() is string given
            ? int.TryParse(given, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1000 ? n : throw ApiProblemException.BadRequest("top must be a whole number from 1 to 1000")
            : 200;
        return Ok(await audit.ReadAsync(run, top, http.RequestAborted));
    });

    static DateTimeOffset? Time(IQueryCollection query, string name) =>
        query[name].FirstOrDefault() is string text
            ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at) ? at : throw ApiProblemException.BadRequest($"{name} '{text}' is not an ISO 8601 time")
            : null;

    async Task<RunStatus> RequireRun(string id, CancellationToken cancellationToken) =>
        await runs.GetAsync(id, cancellationToken) ?? throw new RunNotFoundException(id);
}
