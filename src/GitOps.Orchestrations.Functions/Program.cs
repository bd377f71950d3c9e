using GitOps.Orchestrations.Analysis;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Hooks;
using GitOps.Orchestrations.Api.Metrics;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Composition;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Functions;
using GitOps.Orchestrations.Tables;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Settings (local.settings.sample.json lists them all; deploy/azure sets them). The journal and the
// audit log live beside the task hub in the same storage account, so every instance of the app
// shares them; the account is reached as the Durable Task extension reaches it, by connection
// string or, with no key anywhere, by the app's managed identity (AzureWebJobsStorage__accountName).
TableAccount storage = TableAccount.FromConfiguration(name => builder.Configuration[name]);
string taskHub = builder.Configuration["GITOPS_TASK_HUB"] ?? "gitops";
(IEffectJournal journal, IAuditLog audit) = await TaskHubTables.CreateAsync(storage, taskHub);
builder.Services.AddSingleton(journal);
builder.Services.AddSingleton(audit);

// The key that proves a decision came through the API: configured, or the task hub's shared one.
ApprovalAuthority approvals = builder.Configuration["GITOPS_APPROVAL_KEY"] is { Length: > 0 } approvalKey
    ? ApprovalAuthority.FromBase64(approvalKey)
    : await TableApprovalKey.GetOrCreateAsync(storage, taskHub);
// Custom task types are added here, before the composition root, as activities are added to a
// Durable Functions app: builder.Services.AddGitOpsTaskType<ChangeTicketTaskType>(); (docs/tasks.md).
builder.Services.AddGitOpsOrchestrations(new OrchestrationsOptions
{
    Approvals = approvals,
    // The operator's policies and sealing keys (docs/policy.md, docs/secrets.md); one that does not load stops the app.
    Delivery = (builder.Configuration["GITOPS_CACHE_DIR"] is { Length: > 0 } cache ? new DeliveryOptions { CacheDirectory = cache } : new DeliveryOptions())
        .WithGuardsFrom(builder.Configuration["GITOPS_POLICIES"], builder.Configuration["GITOPS_SEALING_KEYS"]),
    Notifications = NotificationSettings.Read(builder.Configuration.GetSection("GitOps:Notifications"), builder.Configuration["GITOPS_DASHBOARD_URL"]),
});
// Webhook endpoints (docs/events.md): GitOps__Hooks__<name>__Type and __SecretEnv (or __Secret, from Key Vault references).
builder.Services.AddSingleton(new ApiOptions { Hooks = HookSettings.Read(builder.Configuration.GetSection("GitOps:Hooks")) });
builder.Services.AddSingleton(sp => new WorkflowRepository(
    new WorkflowRepositoryOptions
    {
        Repository = builder.Configuration["GITOPS_WORKFLOWS_REPO"] ?? throw new InvalidOperationException("set GITOPS_WORKFLOWS_REPO"),
        Branch = builder.Configuration["GITOPS_WORKFLOWS_REVISION"],
        Folder = builder.Configuration["GITOPS_WORKFLOWS_PATH"] ?? "workflows",
    },
    sp.GetRequiredService<TaskTypeRegistry>()));
builder.Services.AddSingleton(new ServerInfo("Azure Storage (Durable Functions)", Durable: true, taskHub, GitOps.Orchestrations.Git.GitRemote.Redact(builder.Configuration["GITOPS_WORKFLOWS_REPO"] ?? string.Empty)));
builder.Services.AddSingleton(new RetentionOptions
{
    Runs = double.TryParse(builder.Configuration["GITOPS_RETENTION_RUN_DAYS"], System.Globalization.CultureInfo.InvariantCulture, out double runDays) ? TimeSpan.FromDays(runDays) : new RetentionOptions().Runs,
    Audit = double.TryParse(builder.Configuration["GITOPS_RETENTION_AUDIT_DAYS"], System.Globalization.CultureInfo.InvariantCulture, out double auditDays) ? TimeSpan.FromDays(auditDays) : null,
});
builder.Services.AddSingleton<ApiFactory>();
ApiMetrics.Start();

await builder.Build().RunAsync();
