using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Server.Authentication;
using Microsoft.Extensions.Configuration;

namespace GitOps.Orchestrations.Server;

/// <summary>Bearer tokens: HMAC-signed JWTs from the configured issuer for the configured audience.</summary>
public sealed record JwtSettings
{
    public string? Issuer { get; init; }

    public string? Audience { get; init; }

    /// <summary>The HMAC key, at least 32 bytes of UTF-8.</summary>
    public string? SigningKey { get; init; }
}

/// <summary>Everything <c>gitops serve</c> reads: flags, then the <c>GitOps</c> configuration section.</summary>
public sealed record ServerOptions
{
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    public EngineHostOptions Engine { get; init; } = new();

    public WorkflowRepositoryOptions Workflows { get; init; } = new();

    public ApiOptions Api { get; init; } = new();

    public IReadOnlyList<ApiKeyEntry> ApiKeys { get; init; } = [];

    /// <summary>The configuration file whose keys are read again when it changes (<see cref="ApiKeyRing"/>); null: the keys are fixed.</summary>
    public string? KeysFile { get; init; }

    public JwtSettings Jwt { get; init; } = new();

    public RetentionOptions Retention { get; init; } = new();

    /// <summary>The configuration named a store (<c>GitOps:Store</c>).</summary>
    public bool StoreConfigured { get; init; }

    /// <summary>How often schedules are looked at; slots start within this of their time.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the branch is polled for git triggers; zero turns polling off.</summary>
    public TimeSpan GitPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>This process's name in claims, logs and audit entries.</summary>
    public string HostName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// These options with the <c>GitOps</c> settings applied: from <paramref name="configFile"/>
    /// (JSON) if given, then from <c>GitOps__*</c> environment variables, which win.
    /// </summary>
    /// <param name="storeFromCommandLine">The command line named the store, which wins over <c>GitOps:Store</c>.</param>
    public ServerOptions WithSettings(string? configFile, bool storeFromCommandLine = true)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        IConfigurationSection section = builder.AddEnvironmentVariables().Build().GetSection("GitOps");
        Dictionary<string, ClusterSpec>? clusters = section.GetSection("Clusters").Get<Dictionary<string, ClusterSpec>>();
        return this with
        {
            ApiKeys = section.GetSection("ApiKeys").Get<List<ApiKeyEntry>>() ?? ApiKeys,
            Jwt = section.GetSection("Jwt").Get<JwtSettings>() ?? Jwt,
            Engine = Engine with
            {
                Store = !storeFromCommandLine && section.GetValue<string?>("Store") is { Length: > 0 } store ? Hosting.Backends.StoreSpec.Parse(store) : Engine.Store,
                Delivery = clusters is null ? Engine.Delivery : Engine.Delivery with { Clusters = new ClusterRegistry(clusters) },
                Egress = section.GetSection("Egress").Get<EgressPolicy>() ?? Engine.Egress,
                Approvals = section.GetValue<string?>("ApprovalKey") is { Length: > 0 } key ? ApprovalAuthority.FromBase64(key) : Engine.Approvals,
            },
            Api = Api with
            {
                PublicUrl = section.GetValue<string?>("PublicUrl") ?? Api.PublicUrl,
                MaxBodyBytes = section.GetValue<long?>("MaxBodyBytes") ?? Api.MaxBodyBytes,
                PipelinePollInterval = section.GetValue<double?>("PipelinePollIntervalSeconds") is double pipelinePoll ? TimeSpan.FromSeconds(pipelinePoll) : Api.PipelinePollInterval,
            },
            StoreConfigured = section.GetValue<string?>("Store") is { Length: > 0 },
            Retention = new RetentionOptions
            {
                Runs = section.GetValue<double?>("Retention:RunDays") is double runDays ? TimeSpan.FromDays(runDays) : Retention.Runs,
                Audit = section.GetValue<double?>("Retention:AuditDays") is double auditDays ? TimeSpan.FromDays(auditDays) : Retention.Audit,
                Interval = section.GetValue<double?>("Retention:IntervalMinutes") is double minutes ? TimeSpan.FromMinutes(minutes) : Retention.Interval,
            },
            ScheduleInterval = section.GetValue<double?>("ScheduleIntervalSeconds") is double schedule ? TimeSpan.FromSeconds(schedule) : ScheduleInterval,
            GitPollInterval = section.GetValue<double?>("GitPollIntervalSeconds") is double poll ? TimeSpan.FromSeconds(poll) : GitPollInterval,
        };
    }
}
