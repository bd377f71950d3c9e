using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>A workflow file's bytes and the path it is reported under.</summary>
public sealed record SourceFile(string Path, byte[] Content);

/// <summary>
/// Every workflow of one folder at one revision, loaded and checked together, so that
/// <c>uses: workflow</c> references are resolved (and cycles between workflows refused) before any run.
/// </summary>
public sealed class WorkflowCatalog
{
    readonly Dictionary<string, WorkflowDocument> byName = new(StringComparer.Ordinal);
    readonly Dictionary<string, Analysis.AnalysisTemplate> templates = new(StringComparer.Ordinal);
    readonly Dictionary<string, (Rollouts.RolloutDefinition Rollout, string File)> rollouts = new(StringComparer.Ordinal);
    readonly Dictionary<string, (Promotion.PipelineDefinition Pipeline, string File)> pipelines = new(StringComparer.Ordinal);

    WorkflowCatalog(List<Diagnostic> diagnostics) => Diagnostics = diagnostics;

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public IReadOnlyCollection<WorkflowDocument> Workflows => byName.Values;

    /// <summary>The folder's AnalysisTemplates by name; a run snapshots them, so an analysis is pinned like its workflow.</summary>
    public IReadOnlyDictionary<string, Analysis.AnalysisTemplate> AnalysisTemplates => templates;

    /// <summary>The folder's Rollouts by name; like templates, a run snapshots them.</summary>
    public IReadOnlyDictionary<string, Rollouts.RolloutDefinition> Rollouts => rollouts.ToDictionary(r => r.Key, r => r.Value.Rollout, StringComparer.Ordinal);

    /// <summary>The folder's Pipelines by name.</summary>
    public IReadOnlyDictionary<string, Promotion.PipelineDefinition> Pipelines => pipelines.ToDictionary(p => p.Key, p => p.Value.Pipeline, StringComparer.Ordinal);

    /// <summary>The file a rollout was read from, for reporting its problems.</summary>
    public string? FileOf(Rollouts.RolloutDefinition rollout) => rollouts.TryGetValue(rollout.Name, out var found) ? found.File : null;

    public static WorkflowCatalog Load(IEnumerable<SourceFile> files, ITaskTypeCatalog taskTypes, LoadLimits? limits = null)
    {
        var diagnostics = new List<Diagnostic>();
        var catalog = new WorkflowCatalog(diagnostics);
        foreach (SourceFile file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            LoadResult result = WorkflowLoader.Load(file.Path, file.Content, taskTypes, limits);
            diagnostics.AddRange(result.Diagnostics);
            foreach (Analysis.AnalysisTemplate template in result.AnalysisTemplates)
            {
                if (!catalog.templates.TryAdd(template.Name, template))
                {
                    diagnostics.Add(new(file.Path, SourcePosition.Start, $"AnalysisTemplate '{template.Name}' is defined twice in this folder"));
                }
            }

            foreach (Rollouts.RolloutDefinition rollout in result.Rollouts)
            {
                if (!catalog.rollouts.TryAdd(rollout.Name, (rollout, file.Path)))
                {
                    diagnostics.Add(new(file.Path, rollout.At, $"Rollout '{rollout.Name}' is also defined in {catalog.rollouts[rollout.Name].File}"));
                }
            }

            foreach (Promotion.PipelineDefinition pipeline in result.Pipelines)
            {
                if (!catalog.pipelines.TryAdd(pipeline.Name, (pipeline, file.Path)))
                {
                    diagnostics.Add(new(file.Path, pipeline.At, $"Pipeline '{pipeline.Name}' is also defined in {catalog.pipelines[pipeline.Name].File}"));
                }
            }

            foreach (WorkflowDocument workflow in result.Workflows)
            {
                if (catalog.byName.TryGetValue(workflow.Definition.Name, out WorkflowDocument? first))
                {
                    diagnostics.Add(new(file.Path, workflow.Map.Document, $"workflow '{workflow.Definition.Name}' is also defined in {first.Map.File}"));
                    continue;
                }

                catalog.byName[workflow.Definition.Name] = workflow;
            }
        }

        catalog.CheckWorkflowReferences(diagnostics);
        catalog.CheckTemplateReferences(diagnostics);
        return catalog;
    }

    public WorkflowDocument? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>The workflows <paramref name="root"/> may call, directly or not; all of them when a name is templated.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> LibraryFor(WorkflowDefinition root)
    {
        var library = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        var queue = new Queue<WorkflowDefinition>([root]);
        while (queue.Count > 0)
        {
            foreach (var (name, _) in CalledWorkflows(queue.Dequeue()))
            {
                if (name is null)
                {
                    return byName.ToDictionary(p => p.Key, p => p.Value.Definition, StringComparer.Ordinal);
                }

                if (byName.TryGetValue(name, out WorkflowDocument? called) && library.TryAdd(name, called.Definition))
                {
                    queue.Enqueue(called.Definition);
                }
            }
        }

        return library;
    }

    void CheckWorkflowReferences(List<Diagnostic> diagnostics)
    {
        var edges = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (WorkflowDocument document in byName.Values)
        {
            var called = new List<string>();
            foreach (var (name, task) in CalledWorkflows(document.Definition))
            {
                if (name is null)
                {
                    continue;
                }

                if (!byName.ContainsKey(name))
                {
                    diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "with.name"), $"workflow '{name}' is not defined in this repository folder"));
                }
                else
                {
                    called.Add(name);
                }
            }

            edges[document.Definition.Name] = called;
        }

        if (WorkflowValidator.FindCycle(edges) is { } cycle)
        {
            WorkflowDocument first = byName[cycle[0]];
            diagnostics.Add(new(first.Map.File, first.Map.Document, $"workflows call each other in a cycle: {string.Join(" -> ", cycle)}"));
        }
    }

    void CheckTemplateReferences(List<Diagnostic> diagnostics)
    {
        IEnumerable<(IEnumerable<Rollouts.AnalysisReference> Analyses, string File)> users =
            rollouts.Values.Select(r => (r.Rollout.Analyses, r.File)).Concat(pipelines.Values.Select(p => (p.Pipeline.Analyses, p.File)));
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

        foreach (WorkflowDocument document in byName.Values)
        {
            foreach (TaskSpec task in document.Definition.Tasks.Append(document.Definition.OnExit).OfType<TaskSpec>().Where(t => t.Uses == "rollout"))
            {
                if (task.With is JsonElement with && with.TryGetProperty("rollout", out JsonElement name) && name.ValueKind == JsonValueKind.String
                    && !Template.HasReferences(name.GetString()!) && !rollouts.ContainsKey(name.GetString()!))
                {
                    diagnostics.Add(new(document.Map.File, document.Map.Of(task.Name, "with.rollout"), $"Rollout '{name.GetString()}' is not defined in this repository folder"));
                }
            }
        }

        foreach (WorkflowDocument document in byName.Values)
        {
            foreach (TaskSpec task in document.Definition.Tasks.Append(document.Definition.OnExit).OfType<TaskSpec>().Where(t => t.Uses == "analysis"))
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

    /// <summary>Names of workflows called with <c>uses: workflow</c>; null for a templated name.</summary>
    static IEnumerable<(string? Name, TaskSpec Task)> CalledWorkflows(WorkflowDefinition workflow)
    {
        foreach (TaskSpec task in workflow.Tasks.Append(workflow.OnExit).OfType<TaskSpec>().Where(t => t.Uses == "workflow"))
        {
            if (task.With is JsonElement with && with.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String)
            {
                string text = name.GetString()!;
                yield return (Template.HasReferences(text) ? null : text, task);
            }
        }
    }
}
