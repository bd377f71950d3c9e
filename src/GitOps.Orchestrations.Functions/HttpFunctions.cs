using GitOps.Orchestrations.Api.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Functions;

/// <summary>The API's routes (docs/api.md), each a function key-protected HTTP trigger over the shared handler.</summary>
public sealed class HttpFunctions(ApiFactory factory)
{
    [Function("ListWorkflows")]
    public async Task<IActionResult> ListWorkflows([HttpTrigger(AuthorizationLevel.Function, "get", Route = "workflows")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ListWorkflows(ApiFactory.Authenticate(req)));

    [Function("GetWorkflow")]
    public async Task<IActionResult> GetWorkflow([HttpTrigger(AuthorizationLevel.Function, "get", Route = "workflows/{name}")] HttpRequest req, string name, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetWorkflow(ApiFactory.Authenticate(req), name));

    [Function("GetFile")]
    public async Task<IActionResult> GetFile([HttpTrigger(AuthorizationLevel.Function, "get", Route = "files")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetFile(ApiFactory.Authenticate(req)));

    [Function("StartRun")]
    public async Task<IActionResult> StartRun([HttpTrigger(AuthorizationLevel.Function, "post", Route = "workflows/{name}/runs")] HttpRequest req, string name, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).StartRun(ApiFactory.Authenticate(req), name));

    [Function("ListRuns")]
    public async Task<IActionResult> ListRuns([HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ListRuns(ApiFactory.Authenticate(req)));

    [Function("GetRun")]
    public async Task<IActionResult> GetRun([HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetRun(ApiFactory.Authenticate(req), id));

    [Function("GetRunGraph")]
    public async Task<IActionResult> GetRunGraph([HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}/graph")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetRunGraph(ApiFactory.Authenticate(req), id));

    [Function("RunEvents")]
    public async Task<IActionResult> RunEvents([HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}/events")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).RunEvents(ApiFactory.Authenticate(req), id));

    [Function("Decide")]
    public async Task<IActionResult> Decide([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/approvals/{node}")] HttpRequest req, string id, string node, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).Decide(ApiFactory.Authenticate(req), id, node));

    [Function("Terminate")]
    public async Task<IActionResult> Terminate([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/terminate")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).Terminate(ApiFactory.Authenticate(req), id));

    [Function("Suspend")]
    public async Task<IActionResult> Suspend([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/suspend")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).Suspend(ApiFactory.Authenticate(req), id));

    [Function("Resume")]
    public async Task<IActionResult> Resume([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/resume")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).Resume(ApiFactory.Authenticate(req), id));

    [Function("Retry")]
    public async Task<IActionResult> Retry([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/retry")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).Retry(ApiFactory.Authenticate(req), id));

    [Function("ListRollouts")]
    public async Task<IActionResult> ListRollouts([HttpTrigger(AuthorizationLevel.Function, "get", Route = "runs/{id}/rollouts")] HttpRequest req, string id, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ListRollouts(ApiFactory.Authenticate(req), id));

    [Function("PromoteRollout")]
    public async Task<IActionResult> PromoteRollout([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/rollouts/{node}/promote")] HttpRequest req, string id, string node, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).PromoteRollout(ApiFactory.Authenticate(req), id, node));

    [Function("AbortRollout")]
    public async Task<IActionResult> AbortRollout([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/rollouts/{node}/abort")] HttpRequest req, string id, string node, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).AbortRollout(ApiFactory.Authenticate(req), id, node));

    [Function("RetryRollout")]
    public async Task<IActionResult> RetryRollout([HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{id}/rollouts/{node}/retry")] HttpRequest req, string id, string node, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).RetryRollout(ApiFactory.Authenticate(req), id, node));

    [Function("ListPipelines")]
    public async Task<IActionResult> ListPipelines([HttpTrigger(AuthorizationLevel.Function, "get", Route = "pipelines")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ListPipelines(ApiFactory.Authenticate(req)));

    [Function("GetPipeline")]
    public async Task<IActionResult> GetPipeline([HttpTrigger(AuthorizationLevel.Function, "get", Route = "pipelines/{name}")] HttpRequest req, string name, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetPipeline(ApiFactory.Authenticate(req), name));

    [Function("PromotePipeline")]
    public async Task<IActionResult> PromotePipeline([HttpTrigger(AuthorizationLevel.Function, "post", Route = "pipelines/{name}/promote")] HttpRequest req, string name, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).PromotePipeline(ApiFactory.Authenticate(req), name));

    [Function("DecidePipeline")]
    public async Task<IActionResult> DecidePipeline([HttpTrigger(AuthorizationLevel.Function, "post", Route = "pipelines/{name}/approvals")] HttpRequest req, string name, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).DecidePipeline(ApiFactory.Authenticate(req), name));

    [Function("GetMe")]
    public async Task<IActionResult> GetMe([HttpTrigger(AuthorizationLevel.Function, "get", Route = "me")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetMe(ApiFactory.Authenticate(req)));

    [Function("GetServer")]
    public async Task<IActionResult> GetServer([HttpTrigger(AuthorizationLevel.Function, "get", Route = "server")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).GetServer(ApiFactory.Authenticate(req)));

    [Function("ListApprovals")]
    public async Task<IActionResult> ListApprovals([HttpTrigger(AuthorizationLevel.Function, "get", Route = "approvals")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ListApprovals(ApiFactory.Authenticate(req)));

    [Function("ListAudit")]
    public async Task<IActionResult> ListAudit([HttpTrigger(AuthorizationLevel.Function, "get", Route = "audit")] HttpRequest req, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ListAudit(ApiFactory.Authenticate(req)));

    [Function("Metrics")]
    public async Task<IActionResult> Metrics([HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics")] HttpRequest req, [DurableClient] DurableTaskClient client)
    {
        await ApiMetrics.WriteAsync(req.HttpContext, factory.Api(client));
        return new EmptyResult();
    }
}
