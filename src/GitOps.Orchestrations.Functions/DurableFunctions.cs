using GitOps.Orchestrations.Engine.Notifications;
using GitOps.Orchestrations.Analysis;
using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Delivery.Activities;
using GitOps.Orchestrations.Delivery.Activities.Jobs;
using GitOps.Orchestrations.Delivery.Promotion;
using GitOps.Orchestrations.Delivery.Rollouts;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Activities;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Engine.Jobs;
using GitOps.Orchestrations.Engine.Locks;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Promotion;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Orchestrations.Functions;

/// <summary>
/// The engine's orchestrators and activities as Functions triggers. Each function is named as the
/// engine names the class, because orchestrators call activities and sub-orchestrators by those
/// names, and each one delegates to the engine's own class: nothing of the engine is copied here.
/// </summary>
public sealed class DurableFunctions(OrchestrationServices engine, IServiceProvider services, ApiFactory factory)
{
    [Function(nameof(WorkflowOrchestrator))]
    public Task<WorkflowRunResult> Workflow([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new WorkflowOrchestrator(engine).RunAsync(context, context.GetInput<WorkflowRunInput>()!);

    [Function(nameof(FanOutChunkOrchestrator))]
    public Task<List<ItemOutcome>> FanOutChunk([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new FanOutChunkOrchestrator(engine).RunAsync(context, context.GetInput<FanOutChunkInput>()!);

    [Function(nameof(LogActivity))]
    public Task<string> Log([ActivityTrigger] LogRequest request, FunctionContext context) =>
        ActivatorUtilities.CreateInstance<LogActivity>(services).RunAsync(new FunctionActivityContext(nameof(LogActivity), context.InvocationId), request);

    /// <summary>Every custom task type the app adds with <c>AddGitOpsTaskType</c> runs through this one function.</summary>
    [Function(nameof(CustomTaskActivity))]
    public Task<CustomTaskResult> CustomTask([ActivityTrigger] CustomTaskRequest request, FunctionContext context) =>
        Run<CustomTaskActivity, CustomTaskRequest, CustomTaskResult>(request, context);

    [Function(nameof(HttpRequestActivity))]
    public Task<HttpStepResponse> Http([ActivityTrigger] HttpStepRequest request, FunctionContext context) =>
        ActivatorUtilities.CreateInstance<HttpRequestActivity>(services).RunAsync(new FunctionActivityContext(nameof(HttpRequestActivity), context.InvocationId), request);

    [Function(nameof(SendNotificationActivity))]
    public Task<NotificationReceipt> SendNotification([ActivityTrigger] NotificationRequest request, FunctionContext context) =>
        Run<SendNotificationActivity, NotificationRequest, NotificationReceipt>(request, context);

    [Function(nameof(AnalysisOrchestrator))]
    public Task<AnalysisOutcome> Analysis([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new AnalysisOrchestrator().RunAsync(context, context.GetInput<AnalysisRequest>()!);

    [Function(AnalysisOrchestrator.MeasureActivity)]
    public Task<Measurement> Measure([ActivityTrigger] MeasureRequest request, FunctionContext context) =>
        Run<MeasureActivity, MeasureRequest, Measurement>(request, context);

    [Function(DeliveryActivities.ResolveSource)]
    public Task<ResolveSourceResult> ResolveSource([ActivityTrigger] SourceSpec request, FunctionContext context) =>
        Run<ResolveSourceActivity, SourceSpec, ResolveSourceResult>(request, context);

    [Function(DeliveryActivities.Render)]
    public Task<RenderResult> Render([ActivityTrigger] RenderRequest request, FunctionContext context) =>
        Run<RenderActivity, RenderRequest, RenderResult>(request, context);

    [Function(DeliveryActivities.Apply)]
    public Task<ApplyResult> Apply([ActivityTrigger] ApplyRequest request, FunctionContext context) =>
        Run<ApplyActivity, ApplyRequest, ApplyResult>(request, context);

    [Function(DeliveryActivities.CheckHealth)]
    public Task<HealthResult> CheckHealth([ActivityTrigger] HealthRequest request, FunctionContext context) =>
        Run<CheckHealthActivity, HealthRequest, HealthResult>(request, context);

    [Function(DeliveryActivities.WriteRendered)]
    public Task<GitCommitResult> WriteRendered([ActivityTrigger] WriteRenderedRequest request, FunctionContext context) =>
        Run<WriteRenderedActivity, WriteRenderedRequest, GitCommitResult>(request, context);

    [Function(DeliveryActivities.GitCommit)]
    public Task<GitCommitResult> GitCommit([ActivityTrigger] GitCommitRequest request, FunctionContext context) =>
        Run<GitCommitActivity, GitCommitRequest, GitCommitResult>(request, context);

    [Function(JobActivities.Start)]
    public Task<StartJobResult> StartJob([ActivityTrigger] StartJobRequest request, FunctionContext context) =>
        Run<StartJobActivity, StartJobRequest, StartJobResult>(request, context);

    [Function(JobActivities.Observe)]
    public Task<ObserveJobResult> ObserveJob([ActivityTrigger] ObserveJobRequest request, FunctionContext context) =>
        Run<ObserveJobActivity, ObserveJobRequest, ObserveJobResult>(request, context);

    [Function(JobActivities.Delete)]
    public Task<DeleteJobResult> DeleteJob([ActivityTrigger] DeleteJobRequest request, FunctionContext context) =>
        Run<DeleteJobActivity, DeleteJobRequest, DeleteJobResult>(request, context);

    [Function(DeliveryActivities.DetectDrift)]
    public Task<DriftResult> DetectDrift([ActivityTrigger] DriftRequest request, FunctionContext context) =>
        Run<DetectDriftActivity, DriftRequest, DriftResult>(request, context);

    [Function(nameof(RolloutOrchestrator))]
    public Task<RolloutOutcome> Rollout([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RolloutOrchestrator(engine.Approvals).RunAsync(context, context.GetInput<RolloutRequest>()!);

    [Function(RolloutActivities.Prepare)]
    public Task<PrepareRolloutResult> PrepareRollout([ActivityTrigger] PrepareRolloutRequest request, FunctionContext context) =>
        Run<PrepareRolloutActivity, PrepareRolloutRequest, PrepareRolloutResult>(request, context);

    [Function(RolloutActivities.SetTraffic)]
    public Task<SetTrafficResult> SetTraffic([ActivityTrigger] SetTrafficRequest request, FunctionContext context) =>
        Run<SetTrafficActivity, SetTrafficRequest, SetTrafficResult>(request, context);

    [Function(RolloutActivities.ReadReadiness)]
    public Task<ReadinessResult> ReadReadiness([ActivityTrigger] ReadinessRequest request, FunctionContext context) =>
        Run<ReadReadinessActivity, ReadinessRequest, ReadinessResult>(request, context);

    [Function(RolloutActivities.PromoteStable)]
    public Task<RolloutActionResult> PromoteStable([ActivityTrigger] PromoteStableRequest request, FunctionContext context) =>
        Run<PromoteStableActivity, PromoteStableRequest, RolloutActionResult>(request, context);

    [Function(RolloutActivities.Scale)]
    public Task<RolloutActionResult> ScaleDeployment([ActivityTrigger] ScaleRequest request, FunctionContext context) =>
        Run<ScaleDeploymentActivity, ScaleRequest, RolloutActionResult>(request, context);

    [Function(RolloutActivities.SwitchService)]
    public Task<RolloutActionResult> SwitchService([ActivityTrigger] SwitchServiceRequest request, FunctionContext context) =>
        Run<SwitchServiceActivity, SwitchServiceRequest, RolloutActionResult>(request, context);

    [Function(nameof(PipelineOrchestrator))]
    public Task<object?> Pipeline([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PipelineOrchestrator(engine.Approvals).RunAsync(context, context.GetInput<PipelineInput>()!);

    [Function(PromotionActivities.DiscoverFreight)]
    public Task<DiscoverFreightResult> DiscoverFreight([ActivityTrigger] List<Core.Promotion.FreightSource> request, FunctionContext context) =>
        Run<DiscoverFreightActivity, IReadOnlyList<Core.Promotion.FreightSource>, DiscoverFreightResult>(request, context);

    [Function(PromotionActivities.HelmPublish)]
    public Task<HelmPublishResult> HelmPublish([ActivityTrigger] HelmPublishRequest request, FunctionContext context) =>
        Run<HelmPublishActivity, HelmPublishRequest, HelmPublishResult>(request, context);

    [Function(nameof(LockOrchestrator))]
    public Task<object?> Lock([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LockOrchestrator(engine).RunAsync(context, context.GetInput<LockInput>()!);

    /// <summary>Raises lock events (and starts a lock when needed) through the function's Durable client.</summary>
    [Function(nameof(SignalLockActivity))]
    public Task<int> SignalLock([ActivityTrigger] List<LockSignal> signals, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        new SignalLockActivity(client).RunAsync(new FunctionActivityContext(nameof(SignalLockActivity), context.InvocationId), signals);

    [Function(nameof(FindEndedRunsActivity))]
    public Task<List<string>> FindEndedRuns([ActivityTrigger] List<string> runs, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        new FindEndedRunsActivity(client).RunAsync(new FunctionActivityContext(nameof(FindEndedRunsActivity), context.InvocationId), runs);

    /// <summary>Every minute, the finest grain of a five-field cron; each slot is claimed once across instances.</summary>
    [Function("Schedules")]
    public Task Schedules([TimerTrigger("0 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        factory.Schedules(client).TickAsync(cancellationToken);

    [Function("GitPoll")]
    public Task GitPoll([TimerTrigger("30 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        factory.Git(client).PollAsync(cancellationToken);

    /// <summary>Every minute, starts each Pipeline of the branch that is not running (a no-op for those that are).</summary>
    [Function("Pipelines")]
    public Task Pipelines([TimerTrigger("45 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        factory.Pipelines(client).EnsureRunningAsync(cancellationToken);

    /// <summary>Every hour, purges what retention no longer keeps (docs/operations.md).</summary>
    [Function("Retention")]
    public Task Retention([TimerTrigger("0 15 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        factory.Retention(client).SweepAsync(cancellationToken);

    Task<TOutput> Run<TActivity, TInput, TOutput>(TInput request, FunctionContext context)
        where TActivity : TaskActivity<TInput, TOutput> =>
        ActivatorUtilities.CreateInstance<TActivity>(services).RunAsync(new FunctionActivityContext(typeof(TActivity).Name, context.InvocationId), request);

    sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name => name;

        public override string InstanceId => instanceId;
    }
}
