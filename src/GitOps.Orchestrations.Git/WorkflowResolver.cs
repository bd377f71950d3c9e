using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Git;

/// <summary>The outcome of resolving a workflow: a snapshot ready to run, or the problems that prevent it.</summary>
public sealed record ResolvedWorkflow(WorkflowSnapshot? Snapshot, IReadOnlyList<Diagnostic> Diagnostics, string? Error = null)
{
    public bool Succeeded => Snapshot is not null;
}

/// <summary>
/// Turns "which workflow" (a file, or a name in a repository at a revision) into a pinned
/// <see cref="WorkflowSnapshot"/>: read from Git, validated with its siblings, and carrying the
/// workflows it calls. Every host resolves workflows through here.
/// </summary>
public static class WorkflowResolver
{
    public static ResolvedWorkflow Resolve(string workflow, string? repository, string? revision, string folder, ITaskTypeCatalog taskTypes, Core.Delivery.GitAuthSpec? auth = null)
    {
        WorkflowFiles files;
        try
        {
            files = repository is null
                ? File.Exists(workflow)
                    ? WorkflowSource.FromFile(workflow)
                    : throw new FileNotFoundException($"no workflow file '{workflow}' (to run a workflow by name, give --repo)")
                : WorkflowSource.FromRepository(repository, revision, folder, auth: auth);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or LibGit2Sharp.LibGit2SharpException or IOException)
        {
            return new ResolvedWorkflow(null, [], GitRemote.Redact(e.Message));
        }

        return Find(workflow, files, WorkflowCatalog.Load(files.Files, taskTypes, remote: GitRemoteTemplates.Shared), isFile: repository is null);
    }

    /// <summary>
    /// Pins a workflow from files already read and loaded, such as a host's cached catalog of its
    /// branch head; <paramref name="isFile"/> when <paramref name="workflow"/> is a path rather than a name.
    /// </summary>
    public static ResolvedWorkflow Find(string workflow, WorkflowFiles files, WorkflowCatalog catalog, bool isFile = false)
    {
        WorkflowDocument? found = isFile
            ? catalog.Workflows.FirstOrDefault(w => SamePath(w.Map.File, workflow))
            : catalog.Find(workflow) ?? catalog.Workflows.FirstOrDefault(w => w.Map.File.EndsWith(workflow.TrimStart('.', '/'), StringComparison.Ordinal));
        if (found is null && FindRollout(workflow, catalog, isFile) is RolloutDefinition rollout)
        {
            return RunRollout(rollout, files, catalog);
        }

        // Problems in unrelated sibling files must not block this run, but its own and its callees' must.
        HashSet<string>? ownFiles = found is null ? null :
        [
            found.Map.File,
            .. catalog.LibraryFor(found.Definition).Keys.Select(name => catalog.Find(name)!.Map.File),
            .. catalog.TemplatesFor(found.Definition).Keys.Select(name => catalog.WorkflowTemplates[name].Map.File),
        ];
        List<Diagnostic> relevant = catalog.Diagnostics
            .Where(d => ownFiles?.Contains(d.File) ?? RelatesTo(d, workflow))
            .ToList();
        if (relevant.Count > 0 || found is null)
        {
            // A rollout has one name as a run: rollout-NAME, as GET /api/workflows lists it.
            string? hint = !isFile && catalog.Rollouts.ContainsKey(workflow) ? $"; the Rollout '{workflow}' runs on its own as '{RolloutWorkflow.NameFor(workflow)}'" : string.Empty;
            return new ResolvedWorkflow(null, relevant, found is null && relevant.Count == 0 ? $"workflow '{workflow}' not found in {files.Source}{hint}" : null);
        }

        var snapshot = new WorkflowSnapshot
        {
            Workflow = found.Definition,
            Library = catalog.LibraryFor(found.Definition),
            Templates = catalog.TemplatesFor(found.Definition),
            AnalysisTemplates = catalog.AnalysisTemplates,
            Rollouts = catalog.Rollouts,
            Policies = catalog.Policies,
            Revision = files.Revision,
            Source = files.Source,
        };
        return new ResolvedWorkflow(snapshot, []);
    }

    /// <summary>A rollout named (or a file holding one) with no workflow of that name: started on its own, as <see cref="RolloutWorkflow"/>.</summary>
    static RolloutDefinition? FindRollout(string workflow, WorkflowCatalog catalog, bool isFile) =>
        catalog.Rollouts.Values.FirstOrDefault(r => isFile
            ? catalog.FileOf(r) is string file && SamePath(file, workflow)
            : RolloutWorkflow.NameFor(r.Name) == workflow);

    static ResolvedWorkflow RunRollout(RolloutDefinition rollout, WorkflowFiles files, WorkflowCatalog catalog)
    {
        string file = catalog.FileOf(rollout)!;
        List<Diagnostic> relevant = catalog.Diagnostics.Where(d => d.File == file).ToList();
        if (relevant.Count > 0)
        {
            return new ResolvedWorkflow(null, relevant);
        }

        var snapshot = new WorkflowSnapshot
        {
            Workflow = RolloutWorkflow.For(rollout),
            AnalysisTemplates = catalog.AnalysisTemplates,
            Rollouts = catalog.Rollouts,
            Policies = catalog.Policies,
            Revision = files.Revision,
            Source = files.Source,
        };
        return new ResolvedWorkflow(snapshot, []);
    }

    // A workflow that failed to load has no name to find it by; its file usually carries the name.
    static bool RelatesTo(Diagnostic diagnostic, string workflow) =>
        SamePath(diagnostic.File, workflow)
        || diagnostic.File.EndsWith(workflow.TrimStart('.', '/'), StringComparison.Ordinal)
        || Path.GetFileNameWithoutExtension(diagnostic.File) == workflow;

    static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
