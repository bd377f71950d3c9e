using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using GitOps.Orchestrations.Engine.Approvals;

namespace GitOps.Orchestrations.Tables;

/// <summary>
/// The approval signing key of a task hub, kept in a table beside it when no key is configured:
/// the first host to start creates it, every later one (servers and the Functions app) reads the
/// same, so decisions signed by one host verify on every worker of the hub. Whoever holds the
/// storage account's key can read it, and could rewrite the hub's history anyway (docs/security.md).
/// </summary>
public static class TableApprovalKey
{
    const string Partition = "approval";
    const string Row = "v1";

    public static async Task<ApprovalAuthority> GetOrCreateAsync(TableAccount account, string taskHub, CancellationToken cancellationToken = default)
    {
        TableClient table = account.Table($"{taskHub}Keys");
        await table.CreateIfNotExistsAsync(cancellationToken);
        NullableResponse<TableEntity> found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (found.HasValue && found.Value!.GetString("Key") is string existing)
        {
            return ApprovalAuthority.FromBase64(existing);
        }

        string fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(ApprovalAuthority.MinimumKeyBytes));
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition, Row) { ["Key"] = fresh }, cancellationToken);
            return ApprovalAuthority.FromBase64(fresh);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another host created it first: use theirs, so the hub has one key.
            TableEntity winner = await table.GetEntityAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            return ApprovalAuthority.FromBase64(winner.GetString("Key")!);
        }
    }
}
