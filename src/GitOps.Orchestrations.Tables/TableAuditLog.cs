using System.Globalization;
using Azure.Data.Tables;
using GitOps.Orchestrations.Engine.Audit;

namespace GitOps.Orchestrations.Tables;

/// <summary>
/// The audit log in an Azure Storage table beside the task hub. Entries are only ever added (never
/// upserted), one partition per run, with row keys that sort by time.
/// </summary>
public sealed class TableAuditLog(TableClient table) : IAuditLog
{
    public static async Task<TableAuditLog> CreateAsync(TableAccount account, string taskHub, CancellationToken cancellationToken = default)
    {
        TableClient table = account.Table($"{taskHub}Audit");
        await table.CreateIfNotExistsAsync(cancellationToken);
        return new TableAuditLog(table);
    }

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        table.AddEntityAsync(
            new TableEntity(Partition(entry.RunId), $"{entry.At.Ticks:D19}-{Guid.NewGuid():N}")
            {
                ["At"] = DateTime.SpecifyKind(entry.At, DateTimeKind.Utc),
                ["Actor"] = entry.Actor,
                ["Action"] = entry.Action,
                ["RunId"] = entry.RunId,
                ["Node"] = entry.Node,
                ["Outcome"] = entry.Outcome,
                ["Detail"] = entry.Detail,
            },
            cancellationToken);

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string? runId, int top, CancellationToken cancellationToken = default)
    {
        string? filter = runId is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {Partition(runId)}");
        var entries = new List<AuditEntry>();
        await foreach (TableEntity entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(new AuditEntry
            {
                At = entity.GetDateTime("At") ?? DateTime.MinValue,
                Actor = entity.GetString("Actor") ?? string.Empty,
                Action = entity.GetString("Action") ?? string.Empty,
                RunId = entity.GetString("RunId") ?? string.Empty,
                Node = entity.GetString("Node"),
                Outcome = entity.GetString("Outcome") ?? string.Empty,
                Detail = entity.GetString("Detail"),
            });
        }

        return entries.OrderBy(e => e.At).TakeLast(top).ToList();
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        // By when the thing happened, which is what a retention of audit entries speaks of.
        await TableRetention.DeleteWhereAsync(table, TableClient.CreateQueryFilter($"At lt {before}"), cancellationToken);

    // Run ids may hold characters partition keys may not ('/', '#', '?', '\').
    static string Partition(string runId) => string.Create(CultureInfo.InvariantCulture, $"{Uri.EscapeDataString(runId).Replace("%", "_", StringComparison.Ordinal)}");
}
