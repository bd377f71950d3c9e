using System.Text;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Metrics;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Server.Authentication;
using GitOps.Orchestrations.Server.Background;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace GitOps.Orchestrations.Server;

/// <summary>
/// <c>gitops serve</c>: the engine (backend, sidecar, worker, client) and the HTTP API in one
/// process, with the schedule and Git triggers ticking in the background. Several servers on one
/// Azure Storage task hub share its partitions, and so its runs.
/// </summary>
public sealed class GitOpsServer : IAsyncDisposable
{
    const string Scheme = "gitops";

    readonly WebApplication app;

    GitOpsServer(WebApplication app)
    {
        this.app = app;
        Runs = app.Services.GetRequiredService<WorkflowRunClient>();
        Client = app.Services.GetRequiredService<DurableTaskClient>();
    }

    public WorkflowRunClient Runs { get; }

    public DurableTaskClient Client { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The addresses Kestrel bound, with real ports when the URLs asked for port 0.</summary>
    public IReadOnlyList<string> Addresses => [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];

    public static async Task<GitOpsServer> StartAsync(ServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ApiMetrics.Start();
        EngineHostOptions engine = options.Engine with { LoggerFactory = loggerFactory };
        EngineBackend backend = await EngineBackend.StartAsync(engine, cancellationToken);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddProblemDetails();

        // One container: the engine's worker and client, and the API and triggers that use them.
        builder.Services.AddGitOpsEngineHost(backend, engine);
        builder.Services.AddSingleton(options.Api);
        builder.Services.AddSingleton(new WorkflowRepository(options.Workflows, options.Engine.TaskTypes));
        builder.Services.AddSingleton<GitOpsApi>();
        builder.Services.AddSingleton<Api.Health.ReadinessCheck>();
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ScheduleTicker>(sp, options.HostName));
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<GitTriggerPoller>(sp, options.HostName));
        // One registration per trigger: AddHostedService keeps only the first of several of the same type.
        builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TriggerService>(sp, "schedules", options.ScheduleInterval, (Func<CancellationToken, Task>)(ct => sp.GetRequiredService<ScheduleTicker>().TickAsync(ct))));
        builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TriggerService>(sp, "git", options.GitPollInterval, (Func<CancellationToken, Task>)(ct => sp.GetRequiredService<GitTriggerPoller>().PollAsync(ct))));
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<EventDispatcher>(sp, options.HostName));
        if (options.EventStorageConnection is string eventStorage && options.EventPollInterval > TimeSpan.Zero)
        {
            builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StorageEventPoller>(sp, eventStorage));
            builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TriggerService>(sp, "events", options.EventPollInterval, (Func<CancellationToken, Task>)(ct => sp.GetRequiredService<StorageEventPoller>().PollAsync(ct))));
        }

        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<PipelineStarter>(sp, options.Api.PipelinePollInterval));
        builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TriggerService>(sp, "pipelines", options.ScheduleInterval, (Func<CancellationToken, Task>)(ct => sp.GetRequiredService<PipelineStarter>().EnsureRunningAsync(ct))));
        builder.Services.AddSingleton(options.Retention);
        builder.Services.AddSingleton<RetentionSweeper>();
        builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TriggerService>(sp, "retention", options.Retention.Interval, (Func<CancellationToken, Task>)(ct => sp.GetRequiredService<RetentionSweeper>().SweepAsync(ct))));
        builder.Services.AddSingleton(new ServerInfo(options.Engine.Store.Describe(), options.Engine.Store.IsDurable, options.Engine.TaskHub, Git.GitRemote.Redact(options.Workflows.Repository)));

        AddAuthentication(builder.Services, options);

        WebApplication app;
        try
        {
            app = builder.Build();
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }

        app.UseExceptionHandler();
        app.UseAuthentication();
        ServerRoutes.Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // The container owns the backend now: disposing the app closes the sidecar and the stores.
            await app.DisposeAsync();
            throw;
        }

        ILogger logger = loggerFactory.CreateLogger<GitOpsServer>();
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Listening(string.Join(", ", app.Urls), options.Engine.Store.Describe(), options.Engine.TaskHub, Git.GitRemote.Redact(options.Workflows.Repository));
        }
        return new GitOpsServer(app);
    }

    static void AddAuthentication(IServiceCollection services, ServerOptions options)
    {
        bool jwt = options.Jwt.SigningKey is not null;
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or bearer token", policy => policy.ForwardDefaultSelector = context =>
                jwt && context.Request.Headers.Authorization.FirstOrDefault()?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, keys => keys.Keys = new ApiKeyRing(
                options.ApiKeys,
                options.KeysFile,
                () => ServerOptions.ReadKeys(options.KeysFile!)));
        if (jwt)
        {
            authentication.AddJwtBearer(bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Jwt.Issuer,
                    ValidateIssuer = options.Jwt.Issuer is not null,
                    ValidAudience = options.Jwt.Audience,
                    ValidateAudience = options.Jwt.Audience is not null,
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.Jwt.SigningKey!)),
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                };
            });
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(app, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
