using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using GitOps.Orchestrations.Engine.Idempotency;

namespace GitOps.Orchestrations.Tables;

/// <summary>
/// The effect journal in an Azure Storage table beside the task hub, so it survives the worker
/// process and is shared by every worker of the hub.
/// </summary>
public sealed class TableEffectJournal(TableClient table) : IEffectJournal
{
    const string Partition = "effects";

    // Table string properties hold at most 32K UTF-16 characters; results are split across columns.
    const int ChunkChars = 30_000;

    public static async Task<TableEffectJournal> CreateAsync(TableAccount account, string taskHub, CancellationToken cancellationToken = default)
    {
        TableClient table = account.Table($"{taskHub}Effects");
        await table.CreateIfNotExistsAsync(cancellationToken);
        return new TableEffectJournal(table);
    }

    public async Task<string?> TryGetAsync(string key, CancellationToken cancellationToken = default)
    {
        NullableResponse<TableEntity> found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(key), cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return null;
        }

        TableEntity entity = found.Value!;
        int chunks = entity.GetInt32("Chunks") ?? 0;
        var result = new StringBuilder();
        for (int i = 0; i < chunks; i++)
        {
            result.Append(entity.GetString($"R{i}"));
        }

        return result.ToString();
    }

    public async Task RecordAsync(string key, string result, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(Partition, RowKey(key)) { ["Key"] = key };
        int chunks = 0;
        for (int offset = 0; offset < result.Length; offset += ChunkChars)
        {
            entity[$"R{chunks++}"] = result.Substring(offset, Math.Min(ChunkChars, result.Length - offset));
        }

        entity["Chunks"] = chunks;
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> TryClaimAsync(string key, string owner, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition, RowKey(key)) { ["Key"] = key, ["R0"] = owner, ["Chunks"] = 1 }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        // By when the entry was last written: a claim renewed or a result recorded is kept.
        await TableRetention.DeleteWhereAsync(table, TableClient.CreateQueryFilter($"Timestamp lt {before}"), cancellationToken);

    // Keys hold '/', which row keys may not; a hash keeps them short and valid.
    static string RowKey(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
