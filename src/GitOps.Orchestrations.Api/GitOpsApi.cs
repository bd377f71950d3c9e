using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Problems;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api;

/// <summary>
/// The HTTP API, once, for both hosts. Each public method is one route (docs/api.md): it
/// authenticates and authorizes the caller, does the work through <see cref="WorkflowRunClient"/>,
/// and returns an <see cref="IResult"/>. Refusals are RFC 7807 problems, never exceptions that
/// reach the host. Split by concern: workflows, runs, events, approvals, control.
/// </summary>
public sealed partial class GitOpsApi(
    WorkflowRunClient runs,
    WorkflowRepository repository,
    Triggers.EventDispatcher events,
    IAuditLog audit,
    ApiOptions options,
    ServerInfo server,
    TimeProvider clock,
    ILogger<GitOpsApi> logger)
{
    /// <summary><c>GET /api/server</c>: the store, whether it is durable, the task hub, the repository.</summary>
    public Task<IResult> GetServer(HttpContext http) => Guard(http, async () =>
    {
        await Authorize(http, Role.Viewer);
        return Ok(server);
    });

    /// <summary>
    /// <c>GET /api/me</c>: who the host says the caller is, and what their role lets them do, so a
    /// client offers only that. Gates add their own rule (listed approvers, no self-approval), which
    /// <c>GET /api/approvals</c> answers per gate.
    /// </summary>
    public Task<IResult> GetMe(HttpContext http) => Guard(http, async () =>
    {
        Caller caller = await Authorize(http, Role.Viewer);
        return Ok(new CallerView(caller.User, caller.Role, caller.Groups, new CallerAbilities(
            Start: caller.Role >= Role.Operator,
            Control: caller.Role >= Role.Operator,
            Decide: caller.Role >= Role.Approver)));
    });

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Request bodies: unknown fields are mistakes worth reporting, not ignoring.</summary>
    static readonly JsonSerializerOptions StrictJson = new(Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Runs a handler, turning whatever it refuses into a problem response.</summary>
    async Task<IResult> Guard(HttpContext http, Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (ApiProblemException problem)
        {
            return Problem(problem.Status, problem.Title, problem.Message, problem.Errors);
        }
        catch (RunNotFoundException e)
        {
            return Problem(404, "Not found", e.Message);
        }
        catch (RunStateException e)
        {
            return Problem(409, "Conflict", e.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or IOException)
        {
            logger.RepositoryUnavailable(e);
            return Problem(503, "Service unavailable", $"the workflow repository could not be read: {e.Message}");
        }
    }

    static IResult Problem(int status, string title, string detail, IReadOnlyList<string>? errors = null) =>
        Results.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
            Extensions = errors is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["errors"] = errors },
        });

    static IResult Ok<T>(T value, int status = 200) => Results.Json(value, Json, statusCode: status);

    /// <summary>Every route needs an authenticated caller; changing anything needs a role too.</summary>
    async Task<Caller> Authorize(HttpContext http, Role needed, string? action = null, string? runId = null, string? node = null)
    {
        Caller caller = Caller.From(http.User) ?? throw ApiProblemException.Unauthorized();
        if (caller.Role < needed)
        {
            string detail = $"'{caller.User}' is {RoleName(caller.Role)}; this needs the {needed.ToString().ToLowerInvariant()} role";
            if (action is not null && runId is not null)
            {
                await Record(caller, action, runId, node, "refused", detail);
            }

            throw ApiProblemException.Forbidden(detail);
        }

        return caller;
    }

    /// <summary>"a viewer", "an operator", "an approver".</summary>
    static string RoleName(Role role) => role switch
    {
        Role.Viewer => "a viewer",
        Role.Operator => "an operator",
        _ => "an approver",
    };

    Task Record(Caller caller, string action, string runId, string? node, string outcome, string? detail) =>
        audit.AppendAsync(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = caller.User,
            Action = action,
            RunId = runId,
            Node = node,
            Outcome = outcome,
            Detail = detail,
        });

    /// <summary>Reads a JSON body of at most <see cref="ApiOptions.MaxBodyBytes"/>; an empty body is null.</summary>
    async Task<T?> ReadBody<T>(HttpContext http)
        where T : class
    {
        byte[] body = await ReadBounded(http, options.MaxBodyBytes);
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, StrictJson);
        }
        catch (JsonException e)
        {
            throw ApiProblemException.BadRequest($"the body is not valid JSON for this request: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or System.Text.DecoderFallbackException)
        {
            // System.Text.Json reports text that is not UTF-8 this way, not as a JsonException.
            throw ApiProblemException.BadRequest("the body is not UTF-8 JSON");
        }
    }

    /// <summary>
    /// Reads the body, holding back what is wrong with it: a handler authorizes the caller first and
    /// only then reports the body's problem, so a caller without the role learns nothing from it.
    /// </summary>
    async Task<(T? Body, ApiProblemException? Problem)> TryReadBody<T>(HttpContext http)
        where T : class
    {
        try
        {
            return (await ReadBody<T>(http), null);
        }
        catch (ApiProblemException problem)
        {
            return (null, problem);
        }
    }

    /// <summary>Comments and reasons go into run status, rollout events and the audit log, so they are bounded.</summary>
    void CheckFreeText(string field, string? text)
    {
        if (text is not null && text.Length > options.MaxCommentChars)
        {
            throw ApiProblemException.Invalid($"{field} is {text.Length} characters long; the limit is {options.MaxCommentChars}");
        }
    }

    /// <summary>
    /// Where clients reach this API, for links: the configured public URL; only when none is
    /// configured, the request's own scheme and Host header (which a client controls).
    /// </summary>
    string BaseUrl(HttpContext http) =>
        options.PublicUrl?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
}

/// <summary>The caller as <c>GET /api/me</c> shows them.</summary>
public sealed record CallerView(string User, Role Role, IReadOnlyList<string> Groups, CallerAbilities May);

/// <summary>What a role allows: start runs, control runs, rollouts and pipelines, and decide gates.</summary>
public sealed record CallerAbilities(bool Start, bool Control, bool Decide);

static partial class ApiLogs
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "The workflow repository could not be read")]
    public static partial void RepositoryUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Actor} {Action} run {RunId}")]
    public static partial void RunChanged(this ILogger logger, string actor, string action, string runId);
}
