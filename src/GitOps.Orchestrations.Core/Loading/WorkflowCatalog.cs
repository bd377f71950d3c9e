using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>A workflow file's bytes and the path it is reported under.</summary>
public sealed record SourceFile(string Path, byte[] Content);

/// <summary>
/// Every document of one folder at one revision, loaded and checked together, so that references
/// between them (<c>uses: workflow</c>, <c>uses: rollout</c>, analysis templates) are resolved, and
/// cycles between workflows refused, before any run. Names are unique per kind. A file that fails
/// to load costs its own documents only: the others still serve, and its problems are reported
/// with their positions.
/// </summary>
public sealed class WorkflowCatalog
{
    readonly Dictionary<string, Dictionary<string, LoadedDocument>> byKind = new(StringComparer.Ordinal);

    WorkflowCatalog(List<Diagnostic> diagnostics) => Diagnostics = diagnostics;

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>Every document that loaded, of every kind.</summary>
    public IEnumerable<LoadedDocument> Documents => byKind.Values.SelectMany(d => d.Values);

    public IReadOnlyCollection<WorkflowDocument> Workflows => ByName.Values.ToList();

    /// <summary>The folder's AnalysisTemplates by name; a run snapshots them, so an analysis is pinned like its workflow.</summary>
    public IReadOnlyDictionary<string, Analysis.AnalysisTemplate> AnalysisTemplates { get; private set; } = new Dictionary<string, Analysis.AnalysisTemplate>();

    /// <summary>The folder's Rollouts by name; like templates, a run snapshots them.</summary>
    public IReadOnlyDictionary<string, Rollouts.RolloutDefinition> Rollouts { get; private set; } = new Dictionary<string, Rollouts.RolloutDefinition>();

    /// <summary>The folder's Pipelines by name.</summary>
    public IReadOnlyDictionary<string, Promotion.PipelineDefinition> Pipelines { get; private set; } = new Dictionary<string, Promotion.PipelineDefinition>();

    /// <summary>The folder's Kyverno ClusterPolicies and Policies by name, for <c>sync</c>'s <c>policies</c>; a run snapshots them.</summary>
    public IReadOnlyDictionary<string, Policies.PolicyDefinition> Policies { get; private set; } = new Dictionary<string, Policies.PolicyDefinition>();

    IReadOnlyDictionary<string, WorkflowDocument> ByName { get; set; } = new Dictionary<string, WorkflowDocument>();

    /// <summary>The folder's WorkflowTemplates by name; a run snapshots those it may call.</summary>
    public IReadOnlyDictionary<string, WorkflowDocument> WorkflowTemplates { get; private set; } = new Dictionary<string, WorkflowDocument>();

    /// <summary>The documents of one kind by name.</summary>
    public IReadOnlyDictionary<string, T> Named<T>(string kind) =>
        byKind.TryGetValue(kind, out Dictionary<string, LoadedDocument>? documents)
            ? documents.ToDictionary(d => d.Key, d => (T)d.Value.Value, StringComparer.Ordinal)
            : new Dictionary<string, T>(StringComparer.Ordinal);

    /// <summary>The file a rollout was read from, for reporting its problems.</summary>
    public string? FileOf(Rollouts.RolloutDefinition rollout) => FileOf(Core.Rollouts.RolloutLoader.Kind, rollout.Name);

    public string? FileOf(string kind, string name) =>
        byKind.TryGetValue(kind, out Dictionary<string, LoadedDocument>? documents) && documents.TryGetValue(name, out LoadedDocument? found) ? found.File : null;

    /// <summary>
    /// Loads and checks a folder. With <paramref name="remote"/>, templates of other repositories that
    /// its workflows call are read and checked too; without (<c>gitops validate</c>, offline), such
    /// calls are checked only for their form.
    /// </summary>
    public static WorkflowCatalog Load(IEnumerable<SourceFile> files, ITaskTypeCatalog taskTypes, LoadLimits? limits = null, Kinds.KindRegistry? kinds = null, IRemoteTemplates? remote = null)
    {
        var diagnostics = new List<Diagnostic>();
        var catalog = new WorkflowCatalog(diagnostics);
        foreach (SourceFile file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            LoadResult result = DocumentLoader.Load(file.Path, file.Content, taskTypes, limits, kinds);
            diagnostics.AddRange(result.Diagnostics);
            foreach (LoadedDocument document in result.Documents)
            {
                Dictionary<string, LoadedDocument> ofKind = catalog.byKind.TryGetValue(document.Kind, out var known) ? known : catalog.byKind[document.Kind] = new(StringComparer.Ordinal);
                if (!ofKind.TryAdd(document.Name, document))
                {
                    diagnostics.Add(new(file.Path, document.At, $"{document.Kind} '{document.Name}' is also defined in {ofKind[document.Name].File}"));
                }
            }
        }

        // The catalog does not change once loaded, so the typed views are made once.
        catalog.ByName = catalog.Named<WorkflowDocument>(WorkflowKind.Name);
        catalog.WorkflowTemplates = catalog.Named<WorkflowDocument>(WorkflowTemplateKind.Name);
        if (remote is not null)
        {
            Dictionary<string, WorkflowDocument> fetched = RemoteTemplates.Load(catalog.ByName.Values.Concat(catalog.WorkflowTemplates.Values), remote, taskTypes, limits, kinds, diagnostics);
            catalog.WorkflowTemplates = catalog.WorkflowTemplates.Concat(fetched).ToDictionary(StringComparer.Ordinal);
        }

        catalog.AnalysisTemplates = catalog.Named<Analysis.AnalysisTemplate>(Analysis.AnalysisTemplateLoader.Kind);
        catalog.Rollouts = catalog.Named<Rollouts.RolloutDefinition>(Core.Rollouts.RolloutLoader.Kind);
        catalog.Pipelines = catalog.Named<Promotion.PipelineDefinition>(Promotion.PipelineLoader.Kind);
        catalog.Policies = catalog.LoadPolicies(diagnostics);
        catalog.CheckWorkflowReferences(diagnostics);
        catalog.CheckTemplateReferences(diagnostics);
        catalog.CheckPolicyReferences(taskTypes, diagnostics);
        return catalog;
    }

    public WorkflowDocument? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The workflows <paramref name="root"/> may call, directly or not; all of them when a name is templated.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> LibraryFor(WorkflowDefinition root) => Reachable(root).Workflows;

    /// <summary>The WorkflowTemplates <paramref name="root"/> may call, directly or through other templates and workflows.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> TemplatesFor(WorkflowDefinition root) => Reachable(root).Templates;

    (Dictionary<string, WorkflowDefinition> Workflows, Dictionary<string, WorkflowDefinition> Templates) Reachable(WorkflowDefinition root)
    {
        var workflows = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        var templates = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        var queue = new Queue<WorkflowDefinition>([root]);
        while (queue.Count > 0)
        {
            WorkflowDefinition next = queue.Dequeue();
            foreach (var (name, _) in CalledWorkflows(next))
            {
                // A templated name may be any workflow of the folder.
                foreach (WorkflowDocument called in name is null ? ByName.Values : ByName.TryGetValue(name, out WorkflowDocument? one) ? [one] : [])
                {
                    if (workflows.TryAdd(called.Definition.Name, called.Definition))
                    {
                        queue.Enqueue(called.Definition);
                    }
                }
            }

            foreach (TaskSpec task in next.AllSteps().Where(t => t.TemplateRef is not null))
            {
                if (WorkflowTemplates.TryGetValue(task.TemplateRef!, out WorkflowDocument? template) && templates.TryAdd(template.Definition.Name, template.Definition))
                {
                    queue.Enqueue(template.Definition);
                }
            }
        }

        return (workflows, templates);
    }

    /// <summary>
    /// Every call between workflows and templates names one that exists, passes arguments the
    /// template declares and every input it requires, and no chain of calls comes back to its start.
    /// </summary>
    void CheckWorkflowReferences(List<Diagnostic> diagnostics)
    {
        var edges = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var places = new Dictionary<string, WorkflowDocument>(StringComparer.Ordinal);
        foreach (var (label, documents) in new[] { ("workflow", ByName), ("template", WorkflowTemplates) })
        {
            foreach (WorkflowDocument document in documents.Values)
            {
                var called = new List<string>();
                foreach (var (name, task) in CalledWorkflows(document.Definition))
                {
                    if (name is null)
                    {
                        continue;
                    }

                    if (!ByName.ContainsKey(name))
                    {
                        diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "with.name"), $"workflow '{name}' is not defined in this repository folder"));
                    }
                    else
                    {
                        called.Add($"workflow {name}");
                    }
                }

                foreach (TaskSpec task in document.Definition.AllSteps().Where(t => t.TemplateRef is not null))
                {
                    if (task.TemplateSource is not null && !WorkflowTemplates.ContainsKey(task.TemplateRef!))
                    {
                        // Another repository's template: read (and its problems reported) only when the catalog may reach it.
                        continue;
                    }

                    if (!WorkflowTemplates.TryGetValue(task.TemplateRef!, out WorkflowDocument? template))
                    {
                        diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "templateRef"), $"WorkflowTemplate '{task.TemplateRef}' is not defined in this repository folder"));
                        continue;
                    }

                    called.Add($"template {task.TemplateRef}");
                    CheckArguments(document, task, template.Definition, diagnostics);
                }

                string key = $"{label} {document.Definition.Name}";
                edges[key] = called;
                places[key] = document;
            }
        }

        if (WorkflowValidator.FindCycle(edges) is { } cycle)
        {
            WorkflowDocument first = places[cycle[0]];
            diagnostics.Add(new(first.Map.File, first.Map.Document, $"workflows and templates call each other in a cycle: {string.Join(" -> ", cycle)}"));
        }
    }

    /// <summary>A call's <c>with</c> against the template's inputs: no unknown argument, no required input left out, literals within an enum.</summary>
    static void CheckArguments(WorkflowDocument caller, TaskSpec task, WorkflowDefinition template, List<Diagnostic> diagnostics)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        string inputs = template.Params.Count == 0 ? "it has none" : $"inputs: {string.Join(", ", template.Params.Select(p => p.Name))}";
        foreach (JsonProperty argument in task.With is JsonElement { ValueKind: JsonValueKind.Object } with ? with.EnumerateObject() : [])
        {
            given.Add(argument.Name);
            ParamSpec? input = template.Params.FirstOrDefault(p => p.Name == argument.Name);
            if (input is null)
            {
                diagnostics.Add(new(caller.Map.File, caller.Map.Of(task.Name, $"with.{argument.Name}"), $"template '{template.Name}' has no input '{argument.Name}' ({inputs})"));
            }
            else if (input.Enum is { } allowed && argument.Value.ValueKind == JsonValueKind.String && !Template.HasReferences(argument.Value.GetString()!) && !allowed.Contains(argument.Value.GetString()!))
            {
                diagnostics.Add(new(caller.Map.File, caller.Map.Of(task.Name, $"with.{argument.Name}:value"), $"'{argument.Value.GetString()}' is not one of the values of input '{input.Name}': {string.Join(", ", allowed)}"));
            }
        }

        foreach (ParamSpec missing in template.Params.Where(p => p.Default is null && !given.Contains(p.Name)))
        {
            diagnostics.Add(new(caller.Map.File, caller.Map.Of(task.Name, "templateRef"), $"template '{template.Name}' needs input '{missing.Name}' (with: {{{missing.Name}: ...}})"));
        }
    }

    void CheckTemplateReferences(List<Diagnostic> diagnostics)
    {
        IReadOnlyDictionary<string, WorkflowDocument> byName = ByName;
        IReadOnlyDictionary<string, Analysis.AnalysisTemplate> templates = AnalysisTemplates;
        IReadOnlyDictionary<string, Rollouts.RolloutDefinition> rollouts = Rollouts;
        IEnumerable<(IEnumerable<Rollouts.AnalysisReference> Analyses, string File)> users =
            rollouts.Values.Select(r => (r.Analyses, FileOf(r)!)).Concat(Pipelines.Values.Select(p => (p.Analyses, FileOf(Promotion.PipelineLoader.Kind, p.Name)!)));
        foreach (var (uses, file) in users)
        {
            foreach (Rollouts.AnalysisReference analysis in uses)
            {
                foreach (string missing in analysis.Templates.Where(t => !Template.HasReferences(t) && !templates.ContainsKey(t)))
                {
                    diagnostics.Add(new(file, analysis.At, $"AnalysisTemplate '{missing}' is not defined in this repository folder"));
                }
            }
        }

        foreach (WorkflowDocument document in byName.Values.Concat(WorkflowTemplates.Values))
        {
            foreach (TaskSpec task in document.Definition.AllSteps().Where(t => t.Uses == "rollout"))
            {
                if (task.With is JsonElement with && with.TryGetProperty("rollout", out JsonElement name) && name.ValueKind == JsonValueKind.String
                    && !Template.HasReferences(name.GetString()!) && !rollouts.ContainsKey(name.GetString()!))
                {
                    diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "with.rollout"), $"Rollout '{name.GetString()}' is not defined in this repository folder"));
                }
            }
        }

        foreach (WorkflowDocument document in byName.Values.Concat(WorkflowTemplates.Values))
        {
            foreach (TaskSpec task in document.Definition.AllSteps().Where(t => t.Uses == "analysis"))
            {
                if (task.With is not JsonElement with || !with.TryGetProperty("templates", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (JsonElement reference in list.EnumerateArray())
                {
                    if (reference.ValueKind == JsonValueKind.Object && reference.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String
                        && !Template.HasReferences(name.GetString()!) && !templates.ContainsKey(name.GetString()!))
                    {
                        diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "with.templates"), $"AnalysisTemplate '{name.GetString()}' is not defined in this repository folder"));
                    }
                }
            }
        }
    }

    /// <summary>ClusterPolicies and Policies share one namespace of names, as a sync names them.</summary>
    Dictionary<string, Policies.PolicyDefinition> LoadPolicies(List<Diagnostic> diagnostics)
    {
        var policies = new Dictionary<string, Policies.PolicyDefinition>(Named<Policies.PolicyDefinition>(Core.Policies.ClusterPolicyKind.Name), StringComparer.Ordinal);
        foreach (var (name, policy) in Named<Policies.PolicyDefinition>(Core.Policies.PolicyKind.Name))
        {
            if (!policies.TryAdd(name, policy))
            {
                string file = FileOf(Core.Policies.PolicyKind.Name, name)!;
                diagnostics.Add(new(file, byKind[Core.Policies.PolicyKind.Name][name].At, $"Policy '{name}' has the name of a ClusterPolicy in {FileOf(Core.Policies.ClusterPolicyKind.Name, name)}; a sync names policies by name alone"));
            }
        }

        return policies;
    }

    /// <summary>Every policy a step names by a literal is a policy of this folder; the task types that take <c>policies</c> say so in their schemas.</summary>
    void CheckPolicyReferences(ITaskTypeCatalog taskTypes, List<Diagnostic> diagnostics)
    {
        foreach (WorkflowDocument document in ByName.Values.Concat(WorkflowTemplates.Values))
        {
            foreach (TaskSpec task in document.Definition.AllSteps().Where(t => taskTypes.TryGetSchema(t.Uses, out TaskTypeSchema? schema) && schema.Fields.ContainsKey("policies")))
            {
                if (task.With is JsonElement with && with.TryGetProperty("policies", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement name in list.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String && !Template.HasReferences(n.GetString()!)))
                    {
                        if (!Policies.ContainsKey(name.GetString()!))
                        {
                            diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "with.policies"), $"policy '{name.GetString()}' is not a ClusterPolicy or Policy of this repository folder"));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Names of workflows called with <c>uses: workflow</c>; null for a templated name.</summary>
    static IEnumerable<(string? Name, TaskSpec Task)> CalledWorkflows(WorkflowDefinition workflow)
    {
        foreach (TaskSpec task in workflow.AllSteps().Where(t => t.Uses == "workflow"))
        {
            if (task.With is JsonElement with && with.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String)
            {
                string text = name.GetString()!;
                yield return (Template.HasReferences(text) ? null : text, task);
            }
        }
    }
}
