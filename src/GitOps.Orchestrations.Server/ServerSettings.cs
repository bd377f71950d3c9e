using System.Collections;
using Microsoft.Extensions.Configuration;

namespace GitOps.Orchestrations.Server;

/// <summary>One setting of <c>gitops serve</c>: its key in the <c>GitOps</c> section, its environment variable, and its flag if it has one.</summary>
/// <param name="Secret">Shown by <c>--print-config</c> only as whether it is set (or, for the store, with its key taken out).</param>
public sealed record ServerSetting(string Key, string Variable, string? Flag = null, bool Secret = false);

/// <summary>
/// Where <c>gitops serve</c> reads its settings, in one table: the <c>GitOps</c> section of the
/// configuration file, overridden by the environment (the <c>GITOPS_…</c> variable of each setting,
/// or <c>GitOps__Key__Sub</c> for any key, nested ones such as clusters included), overridden by the
/// command line. The approval and signing keys have no flag, and <c>--store</c> is meant for
/// <c>azurite</c> and <c>memory</c>: a command line is visible to every user of the machine through <c>ps</c>.
/// </summary>
public static class ServerSettings
{
    /// <summary>The section of the configuration file, and the prefix of the generic variables.</summary>
    public const string Section = "GitOps";

    public static readonly IReadOnlyList<ServerSetting> All =
    [
        new("Urls", "GITOPS_URLS", "--urls"),
        new("Store", "GITOPS_STORE", "--store", Secret: true),
        new("TaskHub", "GITOPS_TASK_HUB", "--task-hub"),
        new("Repository", "GITOPS_WORKFLOWS_REPO", "--repo"),
        new("Branch", "GITOPS_WORKFLOWS_REVISION", "--branch"),
        new("Path", "GITOPS_WORKFLOWS_PATH", "--path"),
        new("KeysFile", "GITOPS_KEYS_FILE", "--keys-file"),
        new("CacheDirectory", "GITOPS_CACHE_DIR"),
        new("Policies", "GITOPS_POLICIES"),
        new("SealingKeys", "GITOPS_SEALING_KEYS"),
        new("Plugins", "GITOPS_PLUGINS", "--plugins"),
        new("PublicUrl", "GITOPS_PUBLIC_URL"),
        new("ApprovalKey", "GITOPS_APPROVAL_KEY", Secret: true),
        new("Jwt:Issuer", "GITOPS_JWT_ISSUER"),
        new("Jwt:Audience", "GITOPS_JWT_AUDIENCE"),
        new("Jwt:SigningKey", "GITOPS_JWT_SIGNING_KEY", Secret: true),
        new("MaxBodyBytes", "GITOPS_MAX_BODY_BYTES"),
        new("ScheduleIntervalSeconds", "GITOPS_SCHEDULE_INTERVAL_SECONDS"),
        new("GitPollIntervalSeconds", "GITOPS_GIT_POLL_INTERVAL_SECONDS"),
        new("PipelinePollIntervalSeconds", "GITOPS_PIPELINE_POLL_INTERVAL_SECONDS"),
        new("EventPollIntervalSeconds", "GITOPS_EVENT_POLL_INTERVAL_SECONDS"),
        new("EventStorage", "GITOPS_EVENT_STORAGE", Secret: true),
        new("Retention:RunDays", "GITOPS_RETENTION_RUN_DAYS"),
        new("Retention:AuditDays", "GITOPS_RETENTION_AUDIT_DAYS"),
        new("Retention:IntervalMinutes", "GITOPS_RETENTION_INTERVAL_MINUTES"),
    ];

    /// <summary>
    /// The <c>GitOps</c> section after every source has had its say: <paramref name="configFile"/>
    /// (JSON with comments) if given, then <paramref name="environment"/>, then
    /// <paramref name="commandLine"/> (setting key to value, only for the flags given).
    /// </summary>
    public static IConfigurationSection Build(string? configFile, IDictionary environment, IReadOnlyDictionary<string, string?> commandLine)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            builder.AddJsonFile(System.IO.Path.GetFullPath(configFile), optional: false);
        }

        string generic = Section + "__";
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in environment)
        {
            if (variable.Key is string name && name.StartsWith(generic, StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[name.Replace("__", ":", StringComparison.Ordinal)] = variable.Value as string;
            }
        }

        // The named variables after the generic ones: GITOPS_STORE is the one people are told about.
        foreach (ServerSetting setting in All)
        {
            if (environment[setting.Variable] is string { Length: > 0 } value)
            {
                fromEnvironment[$"{Section}:{setting.Key}"] = value;
            }
        }

        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(commandLine.Where(f => f.Value is not null).Select(f => KeyValuePair.Create($"{Section}:{f.Key}", f.Value)));
        return builder.Build().GetSection(Section);
    }

    /// <summary>A setting read as a number of at least <paramref name="minimum"/>, or a FormatException that names where it can be set.</summary>
    public static double? Number(IConfiguration section, string key, double minimum = 0)
    {
        if (section[key] is not { } text)
        {
            return null;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value >= minimum
            ? value
            : throw new FormatException($"{Describe(key)}: '{text}' is not a number of at least {minimum}");
    }

    /// <summary>How a setting is named in each place it can be set, for messages.</summary>
    public static string Describe(string key) =>
        All.FirstOrDefault(s => s.Key.Equals(key, StringComparison.OrdinalIgnoreCase)) is { } setting
            ? $"{Section}:{setting.Key} ({setting.Variable}{(setting.Flag is null ? string.Empty : $", {setting.Flag}")})"
            : $"{Section}:{key}";
}
