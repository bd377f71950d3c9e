using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Health;

/// <summary>
/// <c>GET /readyz</c>: whether this server can do its work now, for a load balancer or a Kubernetes
/// readiness probe. Ready means both that the store answers (a lookup through the engine's client,
/// the path every request takes) and that the workflow catalog is loaded at the branch head. Each
/// check has <see cref="Budget"/>; a slow answer is a no. <c>/healthz</c> stays liveness only: a
/// server whose store is away is not broken, and restarting it would not bring the store back.
/// </summary>
public sealed partial class ReadinessCheck(WorkflowRunClient runs, WorkflowRepository repository, ILogger<ReadinessCheck> logger)
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <summary>An id no run has (ids are workflow names and a GUID): looking it up reads the store and finds nothing.</summary>
    const string ProbeInstance = "readyz.probe";

    public async Task<IResult> CheckAsync(HttpContext http)
    {
        Task<Check> store = Within("store", async cancellation =>
        {
            await runs.ExistsAsync(ProbeInstance, cancellation);
            return "ok";
        }, http.RequestAborted);
        Task<Check> catalog = Within("catalog", async cancellation =>
        {
            CatalogAtRevision current = await repository.CurrentAsync(cancellation);
            return $"{current.Revision[..Math.Min(12, current.Revision.Length)]} ({current.Catalog.Workflows.Count} workflow(s))";
        }, http.RequestAborted);
        Check[] results = [await store, await catalog];
        var checks = results.ToDictionary(c => c.Name, c => c.Text);
        http.Response.Headers.CacheControl = "no-store";
        return results.All(c => c.Ready)
            ? Results.Json(new { status = "ready", checks })
            : Results.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Not ready",
                detail: string.Join("; ", results.Where(c => !c.Ready).Select(c => $"{c.Name}: {c.Text}")),
                extensions: new Dictionary<string, object?> { ["checks"] = checks });
    }

    /// <summary>
    /// One check, bounded. What failed is said in general words only: the probe answers anyone, and
    /// an exception's text may name a storage endpoint or a repository URL; the log has the detail.
    /// </summary>
    async Task<Check> Within(string check, Func<CancellationToken, Task<string>> probe, CancellationToken aborted)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        budget.CancelAfter(Budget);
        try
        {
            return new Check(check, true, await probe(budget.Token).WaitAsync(budget.Token));
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            NotReady(logger, check, $"no answer within {Budget.TotalSeconds:0} s");
            return new Check(check, false, $"not ready: no answer within {Budget.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            NotReady(logger, check, Git.GitRemote.Redact(e.Message));
            return new Check(check, false, $"not ready: {(check == "store" ? "the store did not answer" : "the workflows could not be read")} ({e.GetType().Name})");
        }
    }

    readonly record struct Check(string Name, bool Ready, string Text);

    [LoggerMessage(EventId = 140, Level = LogLevel.Warning, Message = "Not ready: {Check}: {Reason}")]
    static partial void NotReady(ILogger logger, string check, string reason);
}
