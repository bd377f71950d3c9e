using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Git;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Api;

/// <summary>A workflow as listed: valid or not, with its errors as <c>file:line:col</c> lines.</summary>
public sealed record WorkflowView(
    string Name,
    string File,
    bool Valid,
    IReadOnlyList<string> Errors,
    IReadOnlyList<ParamSpec> Params,
    IReadOnlyList<ScheduleSpec> Schedules,
    IReadOnlyList<GitTriggerSpec> Triggers);

/// <summary>A problem of a workflow file, at its line and column, for an editor-like view of the file.</summary>
public sealed record SourceProblem(int Line, int Column, string Message);

/// <summary><c>GET /api/workflows/{name}</c>: the workflow as listed, with its file's YAML at the served revision and its problems at their lines.</summary>
public sealed record WorkflowDetail(
    string Name,
    string File,
    bool Valid,
    IReadOnlyList<string> Errors,
    IReadOnlyList<ParamSpec> Params,
    IReadOnlyList<ScheduleSpec> Schedules,
    IReadOnlyList<GitTriggerSpec> Triggers,
    string Revision,
    string Yaml,
    IReadOnlyList<SourceProblem> Problems);

/// <summary><c>GET /api/files?path=</c>: one file of the served folder as it is at the served revision, with its problems.</summary>
public sealed record SourceFileView(string Path, string Revision, string Yaml, IReadOnlyList<SourceProblem> Problems);

public sealed record WorkflowList(string Revision, string Source, IReadOnlyList<WorkflowView> Workflows, IReadOnlyList<string> Errors);

/// <summary>The body of <c>POST /api/workflows/{name}/runs</c>.</summary>
public sealed record StartRunRequest
{
    public Dictionary<string, JsonElement>? Params { get; init; }

    /// <summary>A branch, tag or SHA; the configured branch when absent.</summary>
    public string? Revision { get; init; }
}

/// <summary>What a started run answers: its id and where to manage it, as Durable Functions' HTTP API does.</summary>
public sealed record RunLinks(
    string Id,
    string Workflow,
    string Revision,
    string StatusQueryGetUri,
    string EventsGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string SuspendPostUri,
    string ResumePostUri,
    string RetryPostUri);

public sealed partial class GitOpsApi
{
    public Task<IResult> ListWorkflows(HttpContext http) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        CatalogAtRevision current = await repository.CurrentAsync(http.RequestAborted);
        List<WorkflowView> views = Views(current.Catalog);
        List<string> fileErrors = current.Catalog.Diagnostics
            .Where(d => !current.Catalog.Workflows.Any(w => w.Map.File == d.File))
            .Select(d => d.ToString())
            .ToList();
        return Ok(new WorkflowList(current.Revision, current.Source, views, fileErrors));
    });

    public Task<IResult> GetWorkflow(HttpContext http, string name) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        CatalogAtRevision current = await repository.CurrentAsync(http.RequestAborted);
        WorkflowView view = Views(current.Catalog).FirstOrDefault(v => v.Name == name)
            ?? throw ApiProblemException.NotFound($"no workflow '{name}' at {current.Revision[..Math.Min(12, current.Revision.Length)]} of {current.Source}");
        SourceFileView file = FileView(current, view.File)!;
        return Ok(new WorkflowDetail(view.Name, view.File, view.Valid, view.Errors, view.Params, view.Schedules, view.Triggers, current.Revision, file.Yaml, file.Problems));
    });

    /// <summary>
    /// <c>GET /api/files?path=</c>: a file of the served folder, by the path the catalog lists it
    /// under (a file that failed to load has no workflow to ask for). Only paths of the loaded
    /// revision are answered; nothing else is read.
    /// </summary>
    public Task<IResult> GetFile(HttpContext http) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        string path = http.Request.Query["path"].FirstOrDefault() ?? throw ApiProblemException.BadRequest("path is required: a file as GET /api/workflows lists it");
        CatalogAtRevision current = await repository.CurrentAsync(http.RequestAborted);
        return Ok(FileView(current, path) ?? throw ApiProblemException.NotFound($"no file '{(path.Length > 200 ? path[..200] + "…" : path)}' at {current.Revision[..Math.Min(12, current.Revision.Length)]} of {current.Source}"));
    });

    static SourceFileView? FileView(CatalogAtRevision current, string path)
    {
        SourceFile? file = current.Files.Files.FirstOrDefault(f => f.Path == path);
        if (file is null)
        {
            return null;
        }

        // Files are read as UTF-8 by the loader too; one that is not says so in its problems.
        List<SourceProblem> problems = current.Catalog.Diagnostics
            .Where(d => d.File == path)
            .Select(d => new SourceProblem(d.Position.Line, d.Position.Column, d.Message))
            .ToList();
        return new SourceFileView(path, current.Revision, Encoding.UTF8.GetString(file.Content), problems);
    }

    public Task<IResult> StartRun(HttpContext http, string name) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Operator);
        StartRunRequest request = await ReadBody<StartRunRequest>(http) ?? new StartRunRequest();
        Dictionary<string, string> parameters = Params(request.Params);

        ResolvedWorkflow resolved = await repository.ResolveAsync(name, request.Revision, http.RequestAborted);
        if (!resolved.Succeeded)
        {
            if (resolved.Diagnostics.Count > 0)
            {
                throw ApiProblemException.Invalid($"workflow '{name}' is not valid at this revision", resolved.Diagnostics.Select(d => d.ToString()).ToList());
            }

            throw ApiProblemException.NotFound(resolved.Error ?? $"no workflow '{name}'");
        }

        // The same key gives the same run id, and starting an existing id returns it unchanged.
        string? key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        // The workflow's own name, whatever it was asked for by (a file path, say), names the run and its record.
        string workflow = resolved.Snapshot!.Workflow.Name;
        string? runId = key is null ? null : IdempotentRunId(workflow, key);
        string id;
        try
        {
            id = await runs.StartAsync(resolved.Snapshot!, parameters, caller.User, runId, trigger: "http", cancellationToken: http.RequestAborted);
        }
        catch (ArgumentException e)
        {
            throw ApiProblemException.Invalid($"params of '{name}' are not valid: {e.Message}");
        }

        await Record(caller, "start", id, null, "accepted", $"{workflow} at {resolved.Snapshot.Revision}");
        RunLinks links = Links(http, id, workflow, resolved.Snapshot.Revision);
        http.Response.Headers.Location = links.StatusQueryGetUri;
        return Ok(links, StatusCodes.Status202Accepted);
    });

    RunLinks Links(HttpContext http, string id, string workflow, string revision)
    {
        string run = $"{BaseUrl(http)}/api/runs/{Uri.EscapeDataString(id)}";
        return new RunLinks(id, workflow, revision, run, $"{run}/events", $"{run}/approvals/{{node}}", $"{run}/terminate", $"{run}/suspend", $"{run}/resume", $"{run}/retry");
    }

    static string IdempotentRunId(string workflow, string key) =>
        $"{workflow}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{workflow}\n{key}")))[..24]}";

    static Dictionary<string, string> Params(Dictionary<string, JsonElement>? given)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, JsonElement value) in given ?? [])
        {
            parameters[name] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => throw ApiProblemException.Invalid($"param '{name}' must be a string, number or boolean"),
            };
        }

        return parameters;
    }

    /// <summary>The folder's workflows, and each Rollout as the workflow that runs it on its own (<c>rollout-NAME</c>): everything a run can be started as.</summary>
    static List<WorkflowView> Views(WorkflowCatalog catalog) =>
        catalog.Workflows
            .Select(w =>
            {
                List<string> errors = catalog.Diagnostics.Where(d => d.File == w.Map.File).Select(d => d.ToString()).ToList();
                WorkflowDefinition d = w.Definition;
                return new WorkflowView(d.Name, w.Map.File, errors.Count == 0, errors, d.Params, d.Schedules, d.Triggers);
            })
            .Concat(catalog.Rollouts.Values
                .Where(r => catalog.Find(Core.Rollouts.RolloutWorkflow.NameFor(r.Name)) is null)
                .Select(r =>
                {
                    string file = catalog.FileOf(r) ?? string.Empty;
                    List<string> errors = catalog.Diagnostics.Where(d => d.File == file).Select(d => d.ToString()).ToList();
                    WorkflowDefinition d = Core.Rollouts.RolloutWorkflow.For(r);
                    return new WorkflowView(d.Name, file, errors.Count == 0, errors, d.Params, [], []);
                }))
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .ToList();
}
