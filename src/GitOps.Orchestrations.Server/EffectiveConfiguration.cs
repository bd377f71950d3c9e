using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Hosting.Backends;

namespace GitOps.Orchestrations.Server;

/// <summary>
/// What <c>gitops serve --print-config</c> shows: the settings a server would run with, after the
/// file, the environment and the command line have each had their say, with every secret replaced
/// by whether it is set. Key hashes, the signing keys and the storage account key never appear.
/// Its names are the keys of the configuration file (<see cref="ServerSettings"/>), so what it
/// prints can be read back as the <c>GitOps</c> section it describes.
/// </summary>
public static partial class EffectiveConfiguration
{
    const string Set = "(set)";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Describe(ServerOptions options)
    {
        var json = new JsonObject
        {
            ["Urls"] = options.Urls,
            ["Store"] = options.Engine.Store switch
            {
                AzureStorageStore azure => RedactConnectionString(azure.ConnectionString),
                _ => "memory",
            },
            ["StoreKind"] = options.Engine.Store.Describe(),
            ["TaskHub"] = options.Engine.TaskHub,
            ["Repository"] = Git.GitRemote.Redact(options.Workflows.Repository),
            ["Branch"] = options.Workflows.Branch ?? "(HEAD)",
            ["Path"] = options.Workflows.Folder,
            ["ApiKeys"] = new JsonArray([.. options.ApiKeys.Select(k => (JsonNode)new JsonObject
            {
                ["User"] = k.User,
                ["Role"] = k.Role,
                ["Groups"] = new JsonArray([.. k.Groups.Select(g => (JsonNode)JsonValue.Create(g))]),
                ["Sha256"] = Set,
            })]),
            ["KeysFile"] = options.KeysFile,
            ["CacheDirectory"] = options.Engine.Delivery.CacheDirectory,
            ["Plugins"] = options.Plugins,
            ["Policies"] = options.PolicyFolder is null ? null : $"{options.PolicyFolder} ({options.Engine.Delivery.Policies.Count} policies)",
            ["SealingKeys"] = options.Engine.Delivery.SealingKeys.Keys.Count == 0 ? null : $"{options.Engine.Delivery.SealingKeys.Keys.Count} keys, newest {options.Engine.Delivery.SealingKeys.Newest}",
            ["CustomTaskTypes"] = new JsonArray([.. options.Engine.TaskTypes.CustomNames.Order(StringComparer.Ordinal).Select(n => (JsonNode)JsonValue.Create(n))]),
            ["Jwt"] = options.Jwt.SigningKey is null ? null : new JsonObject
            {
                ["Issuer"] = options.Jwt.Issuer,
                ["Audience"] = options.Jwt.Audience,
                ["SigningKey"] = Set,
            },
            ["ApprovalKey"] = options.Engine.Approvals is null
                ? options.Engine.Store.IsDurable ? "(kept in the task hub)" : "(for the life of the process)"
                : Set,
            ["PublicUrl"] = options.Api.PublicUrl,
            ["Clusters"] = new JsonArray([.. options.Engine.Delivery.Clusters.Clusters.Keys.Order(StringComparer.Ordinal).Select(n => (JsonNode)JsonValue.Create(n))]),
            ["Egress"] = JsonSerializer.SerializeToNode(options.Engine.Egress),
            ["MaxBodyBytes"] = options.Api.MaxBodyBytes,
            ["ScheduleIntervalSeconds"] = options.ScheduleInterval.TotalSeconds,
            ["GitPollIntervalSeconds"] = options.GitPollInterval.TotalSeconds,
            ["PipelinePollIntervalSeconds"] = options.Api.PipelinePollInterval.TotalSeconds,
            ["EventPollIntervalSeconds"] = options.EventPollInterval.TotalSeconds,
            ["EventStorage"] = options.EventStorageConnection is string events ? RedactConnectionString(events) : null,
            ["Notifications"] = new JsonObject
            {
                ["Channels"] = new JsonObject([.. options.Engine.Notifications.Channels.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => KeyValuePair.Create(c.Key, (JsonNode?)new JsonObject
                {
                    ["Type"] = c.Value.Type,
                    ["Url"] = c.Value.Type == "email" ? null : Set,
                    ["SmtpHost"] = c.Value.SmtpHost,
                    ["To"] = c.Value.To.Count == 0 ? null : new JsonArray([.. c.Value.To.Select(t => (JsonNode)JsonValue.Create(t))]),
                }))]),
                ["Defaults"] = options.Engine.Notifications.Defaults.Count,
                ["DashboardUrl"] = options.Engine.Notifications.DashboardUrl,
            },
            ["Hooks"] = new JsonObject([.. options.Api.Hooks.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => KeyValuePair.Create(h.Key, (JsonNode?)new JsonObject
            {
                ["Type"] = h.Value.Type,
                ["Secret"] = Set,
                ["SecretEnv"] = h.Value.SecretEnv,
            }))]),
            ["Retention"] = new JsonObject
            {
                ["RunDays"] = options.Retention.Runs.TotalDays,
                ["AuditDays"] = options.Retention.Audit?.TotalDays,
                ["IntervalMinutes"] = options.Retention.Interval.TotalMinutes,
            },
        };
        return json.ToJsonString(Indented);
    }

    /// <summary>A connection string with its account key and any SAS signature replaced.</summary>
    public static string RedactConnectionString(string connectionString) =>
        Secret().Replace(connectionString, m => $"{m.Groups[1].Value}={Set}");

    [GeneratedRegex(@"(AccountKey|SharedAccessSignature|sig)=[^;&]*", RegexOptions.IgnoreCase)]
    private static partial Regex Secret();
}
