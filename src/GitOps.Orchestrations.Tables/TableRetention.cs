using Azure;
using Azure.Data.Tables;

namespace GitOps.Orchestrations.Tables;

/// <summary>Deletes the rows of a table a filter selects, in batches of one partition each, as Table transactions require.</summary>
internal static class TableRetention
{
    const int BatchSize = 100;

    public static async Task<int> DeleteWhereAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        int deleted = 0;
        var batch = new List<TableEntity>(BatchSize);
        await foreach (TableEntity entity in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (batch.Count == BatchSize || (batch.Count > 0 && batch[0].PartitionKey != entity.PartitionKey))
            {
                deleted += await DeleteAsync(table, batch, cancellationToken);
                batch.Clear();
            }

            batch.Add(entity);
        }

        return deleted + (batch.Count > 0 ? await DeleteAsync(table, batch, cancellationToken) : 0);
    }

    static async Task<int> DeleteAsync(TableClient table, List<TableEntity> batch, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
            return batch.Count;
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // Another host purged some of them first; the rest go on the next sweep.
            return 0;
        }
    }
}
