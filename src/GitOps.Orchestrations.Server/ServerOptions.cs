using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Hooks;
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

    /// <summary>The folder custom task types were loaded from, if any (docs/tasks.md).</summary>
    public string? Plugins { get; init; }

    /// <summary>The file or folder the operator's policies were read from, if any (docs/policy.md).</summary>
    public string? PolicyFolder { get; init; }

    public JwtSettings Jwt { get; init; } = new();

    public RetentionOptions Retention { get; init; } = new();

    /// <summary>A store was named: by <c>--store</c>, <c>GITOPS_STORE</c> or <c>Store</c> in the file.</summary>
    public bool StoreConfigured { get; init; }

    /// <summary>How often schedules are looked at; slots start within this of their time.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the branch is polled for git triggers; zero turns polling off.</summary>
    public TimeSpan GitPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the queues and containers that workflows listen to are polled; zero turns polling off.</summary>
    public TimeSpan EventPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The storage account whose queues and blobs start runs: the task hub's when the store is
    /// Azure Storage, unless this names another; with no such account, queue and blob triggers are idle.
    /// </summary>
    public string? EventStorage { get; init; }

    /// <summary>The account the event poller reads, if any.</summary>
    public string? EventStorageConnection => EventStorage ?? (Engine.Store as Hosting.Backends.AzureStorageStore)?.ConnectionString;

    /// <summary>This process's name in claims, logs and audit entries.</summary>
    public string HostName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// The options a server runs with: <paramref name="configFile"/> (JSON) if given, then the
    /// environment, then the flags given on the command line (<see cref="ServerSettings"/>).
    /// </summary>
    /// <param name="commandLine">Setting key to value, for each flag given.</param>
    /// <param name="environment">The process's variables unless a test names its own.</param>
    public static ServerOptions Read(string? configFile, IReadOnlyDictionary<string, string?>? commandLine = null, System.Collections.IDictionary? environment = null)
    {
        IConfigurationSection section = ServerSettings.Build(configFile, environment ?? Environment.GetEnvironmentVariables(), commandLine ?? new Dictionary<string, string?>());
        var defaults = new ServerOptions();
        string? keysFile = section["KeysFile"];
        Dictionary<string, ClusterSpec>? clusters = section.GetSection("Clusters").Get<Dictionary<string, ClusterSpec>>();
        // The cache directory is a setting of the table (CacheDirectory); only the Azure Storage
        // tuning is read from the process's environment alone.
        EngineHostOptions engine = defaults.Engine with { AzureStorage = AzureStorageTuning.FromEnvironment() };
        return defaults with
        {
            Urls = section["Urls"] ?? defaults.Urls,
            Workflows = new WorkflowRepositoryOptions
            {
                Repository = section["Repository"] ?? defaults.Workflows.Repository,
                Branch = section["Branch"] is { Length: > 0 } branch ? branch : null,
                Folder = section["Path"] ?? defaults.Workflows.Folder,
            },
            // A keys file of its own (a Kubernetes Secret, say) holds the keys; else the configuration does.
            ApiKeys = keysFile is null ? ReadKeys(section) : ReadKeys(keysFile),
            KeysFile = keysFile ?? configFile,
            Plugins = section["Plugins"] is { Length: > 0 } pluginFolder ? pluginFolder : null,
            PolicyFolder = section["Policies"] is { Length: > 0 } policyFolder ? policyFolder : null,
            Jwt = section.GetSection("Jwt").Get<JwtSettings>() ?? defaults.Jwt,
            Engine = engine with
            {
                Store = section["Store"] is { Length: > 0 } store ? Hosting.Backends.StoreSpec.Parse(store) : engine.Store,
                TaskHub = section["TaskHub"] ?? engine.TaskHub,
                // Custom task types from a plugin folder; a plugin that does not load stops the start.
                TaskTypes = section["Plugins"] is { Length: > 0 } plugins ? Hosting.Plugins.TaskTypePlugins.Registry(plugins) : engine.TaskTypes,
                Delivery = ((clusters is null ? engine.Delivery : engine.Delivery with { Clusters = new ClusterRegistry(clusters) }) is var delivery && section["CacheDirectory"] is { Length: > 0 } cache
                    ? delivery with { CacheDirectory = cache }
                    : delivery).WithGuardsFrom(section["Policies"], section["SealingKeys"]),
                Egress = section.GetSection("Egress").Get<EgressPolicy>() ?? engine.Egress,
                Approvals = section["ApprovalKey"] is { Length: > 0 } key ? ApprovalAuthority.FromBase64(key) : engine.Approvals,
                Notifications = NotificationSettings.Read(section.GetSection("Notifications"), (section["PublicUrl"] ?? LinkableUrl(section["Urls"] ?? defaults.Urls)) is string publicUrl ? $"{publicUrl.TrimEnd('/')}/ui/" : null),
            },
            Api = defaults.Api with
            {
                PublicUrl = section["PublicUrl"] ?? defaults.Api.PublicUrl,
                MaxBodyBytes = ServerSettings.Number(section, "MaxBodyBytes", minimum: 1) is double bytes ? (long)bytes : defaults.Api.MaxBodyBytes,
                PipelinePollInterval = Seconds(section, "PipelinePollIntervalSeconds") ?? defaults.Api.PipelinePollInterval,
                Hooks = HookSettings.Read(section.GetSection("Hooks")),
            },
            EventPollInterval = Seconds(section, "EventPollIntervalSeconds") ?? defaults.EventPollInterval,
            EventStorage = section["EventStorage"] is { Length: > 0 } eventStorage ? Hosting.Backends.StoreSpec.Parse(eventStorage) is Hosting.Backends.AzureStorageStore account ? account.ConnectionString : throw new ArgumentException("EventStorage must be an Azure Storage connection string or 'azurite'") : null,
            StoreConfigured = section["Store"] is { Length: > 0 },
            Retention = new RetentionOptions
            {
                Runs = ServerSettings.Number(section, "Retention:RunDays") is double runDays ? TimeSpan.FromDays(runDays) : defaults.Retention.Runs,
                Audit = ServerSettings.Number(section, "Retention:AuditDays") is double auditDays ? TimeSpan.FromDays(auditDays) : defaults.Retention.Audit,
                Interval = ServerSettings.Number(section, "Retention:IntervalMinutes", minimum: 0.01) is double minutes ? TimeSpan.FromMinutes(minutes) : defaults.Retention.Interval,
            },
            ScheduleInterval = Seconds(section, "ScheduleIntervalSeconds", minimum: 0.1) ?? defaults.ScheduleInterval,
            GitPollInterval = Seconds(section, "GitPollIntervalSeconds") ?? defaults.GitPollInterval,
        };
    }

    /// <summary>The API keys in <paramref name="keysFile"/>'s <c>GitOps:ApiKeys</c>, as the server reads them again when the file changes.</summary>
    public static IReadOnlyList<ApiKeyEntry> ReadKeys(string keysFile) =>
        File.Exists(keysFile)
            ? ReadKeys(new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(keysFile), optional: false).Build().GetSection(ServerSettings.Section))
            : [];

    static List<ApiKeyEntry> ReadKeys(IConfiguration section) => section.GetSection("ApiKeys").Get<List<ApiKeyEntry>>() ?? [];

    /// <summary>The first address people can follow a link to: not a wildcard host, not port 0; else null and notifications carry no link.</summary>
    static string? LinkableUrl(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out Uri? uri) ? uri : null)
            .FirstOrDefault(u => u is not null && u.Port != 0 && u.Host is not ("0.0.0.0" or "[::]" or "*" or "+"))?.GetLeftPart(UriPartial.Authority);

    static TimeSpan? Seconds(IConfiguration section, string key, double minimum = 0) =>
        ServerSettings.Number(section, key, minimum) is double seconds ? TimeSpan.FromSeconds(seconds) : null;
}
