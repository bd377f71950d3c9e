using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Triggers;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Git;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Triggers;

/// <summary>
/// Watches the configured branch. Each poll asks Git for the head only (an ls-remote for a URL);
/// when it moved, the changed paths between the last seen commit and the new one decide which
/// workflows with <c>triggers: [{git: {paths}}]</c> start, pinned to the new commit. The last seen
/// commit is kept in the shared journal, so hosts that come and go continue where others stopped.
/// The first poll of a fresh task hub only records the head: history is not replayed.
/// </summary>
public sealed class GitTriggerPoller(WorkflowRepository repository, WorkflowRunClient runs, IEffectJournal journal, ILogger<GitTriggerPoller> logger, string host)
{
    string Key => $"git/last-seen/{repository.Options.Repository}@{repository.Options.Branch ?? "HEAD"}";

    public async Task<IReadOnlyList<string>> PollAsync(CancellationToken cancellationToken = default)
    {
        // One catalog for the whole poll, so the paths compared, the workflows read and the commit
        // recorded all belong to the same head even if the branch moves meanwhile.
        CatalogAtRevision current = await repository.CurrentAsync(cancellationToken);
        string head = current.Revision;
        string? last = await journal.TryGetAsync(Key, cancellationToken);
        if (last == head)
        {
            return [];
        }

        if (last is null)
        {
            await journal.RecordAsync(Key, head, cancellationToken);
            return [];
        }

        IReadOnlyList<string> changed = await repository.ChangedPathsAsync(last, head, cancellationToken);
        var started = new List<string>();
        foreach (WorkflowDocument document in current.Catalog.Workflows)
        {
            WorkflowDefinition workflow = document.Definition;
            if (!workflow.Triggers.Any(t => PathGlob.MatchesAny(t.Paths, changed)))
            {
                continue;
            }

            string runId = $"{workflow.Name}.git.{current.Revision[..12]}";
            if (await runs.ExistsAsync(runId, cancellationToken) || !await journal.TryClaimAsync($"git/{runId}", host, cancellationToken))
            {
                continue;
            }

            ResolvedWorkflow resolved = await repository.ResolveAsync(workflow.Name, current.Revision, cancellationToken);
            if (resolved.Succeeded)
            {
                await runs.StartAsync(resolved.Snapshot!, null, "git", runId, trigger: "git", cancellationToken: cancellationToken);
                logger.GitTriggered(current.Revision, workflow.Name, runId);
                started.Add(runId);
            }
        }

        // Recorded only now: a host that dies before this point leaves the commit to the next poll,
        // and the claims above keep that retry from starting anything twice.
        await journal.RecordAsync(Key, head, cancellationToken);
        return started;
    }
}
