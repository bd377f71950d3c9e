using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Identity;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Functions;

/// <summary>
/// Functions hands each invocation its own <see cref="DurableTaskClient"/> (the DurableClient
/// binding), so the shared handlers are put together per call around it; everything else is shared.
/// </summary>
public sealed class ApiFactory(WorkflowRepository repository, IAuditLog audit, IEffectJournal journal, ApiOptions options, ServerInfo server, RetentionOptions retention, OrchestrationServices engine, Engine.Notifications.NotificationOptions notifications, TimeProvider clock, ILoggerFactory loggers)
{
    const int CheckpointEvery = WorkflowRunClient.AzureStorageCheckpointEvery;

    WorkflowRunClient Runs(DurableTaskClient client) => new(client, engine.Approvals, CheckpointEvery) { NotificationDefaults = notifications.Defaults };

    public GitOpsApi Api(DurableTaskClient client) =>
        new(Runs(client), repository, Events(client), audit, options, server, clock, loggers.CreateLogger<GitOpsApi>());

    public EventDispatcher Events(DurableTaskClient client) =>
        new(repository, Runs(client), journal, audit, clock, loggers.CreateLogger<EventDispatcher>(), Environment.MachineName);

    public RetentionSweeper Retention(DurableTaskClient client) =>
        new(Runs(client), journal, audit, retention, clock, loggers.CreateLogger<RetentionSweeper>());

    public ScheduleTicker Schedules(DurableTaskClient client) =>
        new(repository, Runs(client), journal, audit, clock, loggers.CreateLogger<ScheduleTicker>(), Environment.MachineName);

    public GitTriggerPoller Git(DurableTaskClient client) =>
        new(repository, Runs(client), journal, loggers.CreateLogger<GitTriggerPoller>(), Environment.MachineName);

    public PipelineStarter Pipelines(DurableTaskClient client) =>
        new(repository, Runs(client), loggers.CreateLogger<PipelineStarter>(), options.PipelinePollInterval);

    /// <summary>
    /// The caller is whoever App Service authentication signed in; the function key in front of
    /// every route only proves the request may reach the app at all.
    /// </summary>
    public static HttpContext Authenticate(HttpRequest request)
    {
        request.HttpContext.User = AppServicePrincipal.Read(request.Headers[AppServicePrincipal.HeaderName].FirstOrDefault()) ?? new System.Security.Claims.ClaimsPrincipal();
        return request.HttpContext;
    }
}

/// <summary>Runs a minimal-API result inside a Functions HTTP trigger.</summary>
public sealed class ResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
