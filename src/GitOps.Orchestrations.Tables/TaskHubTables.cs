using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;

namespace GitOps.Orchestrations.Tables;

/// <summary>
/// The engine's own records beside an Azure Storage task hub (the effect journal and the audit
/// log), shared by every process on the hub: self-hosted servers and the Functions app alike.
/// </summary>
public static class TaskHubTables
{
    public static async Task<(IEffectJournal Journal, IAuditLog Audit)> CreateAsync(TableAccount account, string taskHub, CancellationToken cancellationToken = default) =>
        (await TableEffectJournal.CreateAsync(account, taskHub, cancellationToken),
         await TableAuditLog.CreateAsync(account, taskHub, cancellationToken));
}
