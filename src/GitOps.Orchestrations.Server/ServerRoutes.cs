using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Metrics;
using GitOps.Orchestrations.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GitOps.Orchestrations.Server;

/// <summary>The API's routes (docs/api.md, docs/openapi.json), each handed to the shared handler.</summary>
internal static class ServerRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/workflows", (HttpContext h, GitOpsApi api) => api.ListWorkflows(h));
        app.MapGet("/api/workflows/{name}", (HttpContext h, string name, GitOpsApi api) => api.GetWorkflow(h, name));
        app.MapGet("/api/files", (HttpContext h, GitOpsApi api) => api.GetFile(h));
        app.MapPost("/api/workflows/{name}/runs", (HttpContext h, string name, GitOpsApi api) => api.StartRun(h, name));

        app.MapGet("/api/runs", (HttpContext h, GitOpsApi api) => api.ListRuns(h));
        app.MapGet("/api/runs/{id}", (HttpContext h, string id, GitOpsApi api) => api.GetRun(h, id));
        app.MapGet("/api/runs/{id}/graph", (HttpContext h, string id, GitOpsApi api) => api.GetRunGraph(h, id));
        app.MapGet("/api/runs/{id}/events", (HttpContext h, string id, GitOpsApi api) => api.RunEvents(h, id));
        app.MapPost("/api/runs/{id}/approvals/{node}", (HttpContext h, string id, string node, GitOpsApi api) => api.Decide(h, id, node));
        app.MapPost("/api/runs/{id}/terminate", (HttpContext h, string id, GitOpsApi api) => api.Terminate(h, id));
        app.MapPost("/api/runs/{id}/suspend", (HttpContext h, string id, GitOpsApi api) => api.Suspend(h, id));
        app.MapPost("/api/runs/{id}/resume", (HttpContext h, string id, GitOpsApi api) => api.Resume(h, id));
        app.MapPost("/api/runs/{id}/retry", (HttpContext h, string id, GitOpsApi api) => api.Retry(h, id));
        app.MapGet("/api/runs/{id}/rollouts", (HttpContext h, string id, GitOpsApi api) => api.ListRollouts(h, id));
        app.MapPost("/api/runs/{id}/rollouts/{node}/promote", (HttpContext h, string id, string node, GitOpsApi api) => api.PromoteRollout(h, id, node));
        app.MapPost("/api/runs/{id}/rollouts/{node}/abort", (HttpContext h, string id, string node, GitOpsApi api) => api.AbortRollout(h, id, node));
        app.MapPost("/api/runs/{id}/rollouts/{node}/retry", (HttpContext h, string id, string node, GitOpsApi api) => api.RetryRollout(h, id, node));

        app.MapGet("/api/pipelines", (HttpContext h, GitOpsApi api) => api.ListPipelines(h));
        app.MapGet("/api/pipelines/{name}", (HttpContext h, string name, GitOpsApi api) => api.GetPipeline(h, name));
        app.MapPost("/api/pipelines/{name}/promote", (HttpContext h, string name, GitOpsApi api) => api.PromotePipeline(h, name));
        app.MapPost("/api/pipelines/{name}/approvals", (HttpContext h, string name, GitOpsApi api) => api.DecidePipeline(h, name));

        // Webhooks authenticate by their signature, not by an API key (docs/events.md).
        app.MapPost("/api/hooks/{name}", (HttpContext h, string name, GitOpsApi api) => api.ReceiveHook(h, name));

        app.MapGet("/api/me", (HttpContext h, GitOpsApi api) => api.GetMe(h));
        app.MapGet("/api/server", (HttpContext h, GitOpsApi api) => api.GetServer(h));
        app.MapGet("/api/approvals", (HttpContext h, GitOpsApi api) => api.ListApprovals(h));
        app.MapGet("/api/audit", (HttpContext h, GitOpsApi api) => api.ListAudit(h));

        app.MapGet("/metrics", (HttpContext h, GitOpsApi api) => ApiMetrics.WriteAsync(h, api));
        // Liveness: the process answers. Readiness: it can do its work (the store answers, the catalog is loaded).
        app.MapGet("/healthz", (ServerInfo server) => Results.Json(new { status = "ok", durable = server.Durable, store = server.Store }));
        app.MapGet("/readyz", (HttpContext h, Api.Health.ReadinessCheck readiness) => readiness.CheckAsync(h));
        // The dashboard (docs/dashboard.md): its files are public, everything it shows comes from /api.
        app.MapGet("/", () => Results.Redirect("/ui/"));
        app.MapGet("/ui/{**path}", (HttpContext h, string? path) => DashboardAssets.Serve(h, path));

        // "{**path}", not the default pattern, which leaves out paths that look like files (a dot in
        // the last segment) and would answer them with an empty 404 instead of a problem.
        app.MapFallback("{**path}", (HttpContext h) => Results.Problem(statusCode: 404, title: "Not found", detail: $"no route {h.Request.Method} {h.Request.Path}"));
    }
}
