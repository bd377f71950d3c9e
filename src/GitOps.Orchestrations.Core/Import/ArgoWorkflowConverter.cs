using GitOps.Orchestrations.Core.Loading;
using static GitOps.Orchestrations.Core.Import.ArgoDocument;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>
/// Argo <c>Workflow</c>, <c>CronWorkflow</c>, <c>WorkflowTemplate</c> and <c>ClusterWorkflowTemplate</c>.
/// The entrypoint's DAG (or steps, as a DAG of groups) becomes the workflow's tasks; a leaf template
/// (container, script, http, suspend) is written into each task that calls it, its inputs replaced
/// by the call's arguments; a dag or steps template that tasks call becomes a <c>WorkflowTemplate</c>
/// named <c>WORKFLOW-TEMPLATE</c>, called with <c>templateRef</c>. Every template of an Argo
/// WorkflowTemplate becomes such a template, so calls from other files find it.
/// </summary>
public sealed class ArgoWorkflowConverter : IArgoConverter
{
    public IReadOnlyCollection<string> Kinds { get; } = ["Workflow", "CronWorkflow", "WorkflowTemplate", "ClusterWorkflowTemplate"];

    public void Convert(ArgoDocument document) => new WorkflowConversion(document).Run();
}

/// <summary>The state of converting one Argo workflow document.</summary>
sealed partial class WorkflowConversion(ArgoDocument doc)
{
    readonly Dictionary<string, YMapping> templates = new(StringComparer.Ordinal);
    readonly HashSet<(string From, string To)> cyclic = [];
    readonly Queue<string> pending = new();
    readonly HashSet<string> queued = new(StringComparer.Ordinal);
    readonly ArgoReferences references = new();
    string argoName = "";

    /// <summary>Where <c>{{workflow.status}}</c> comes from in what is being converted (see <see cref="ArgoStatus"/>).</summary>
    ArgoStatus status;

    /// <summary>The dag and steps templates that the workflow's exit handler and end hooks call, directly or not.</summary>
    readonly HashSet<string> exitTemplates = new(StringComparer.Ordinal);

    public void Run()
    {
        YMapping? metadata = Map(doc.Root["metadata"]);
        string? given = Text(metadata?["name"]) ?? Text(metadata?["generateName"])?.TrimEnd('-');
        if (given is null || Map(doc.Root["spec"]) is not YMapping spec)
        {
            doc.Error(doc.Root, doc.Kind, "needs metadata.name (or generateName) and a spec");
            return;
        }

        argoName = given;
        if (doc.Kind == "CronWorkflow")
        {
            if (Map(spec["workflowSpec"]) is not YMapping workflowSpec)
            {
                doc.Error(spec, "spec.workflowSpec", "a CronWorkflow needs its workflowSpec");
                return;
            }

            ReadTemplates(workflowSpec);
            EmitWorkflow(metadata!, workflowSpec, spec);
        }
        else if (doc.Kind is "WorkflowTemplate" or "ClusterWorkflowTemplate")
        {
            ReadTemplates(spec);
            EmitLibrary(spec);
        }
        else
        {
            ReadTemplates(spec);
            EmitWorkflow(metadata!, spec, cron: null);
        }

        while (pending.TryDequeue(out string? template))
        {
            EmitTemplate(template);
        }
    }

    void ReadTemplates(YMapping spec)
    {
        foreach (YNode node in List(spec["templates"]))
        {
            if (Map(node) is YMapping template && Text(template["name"]) is string name)
            {
                if (!templates.TryAdd(name, template))
                {
                    doc.Error(template, $"template {name}", "a second template of this name");
                }
            }
            else
            {
                doc.Error(node, "templates", "a template needs a name");
            }
        }

        FindCycles();
    }

    static bool IsBody(YMapping template) => template["dag"] is not null || template["steps"] is not null;

    /// <summary>Every call between templates that can come back to its caller: Argo allows recursion, this engine refuses call cycles.</summary>
    void FindCycles()
    {
        var calls = templates.ToDictionary(t => t.Key, t => Calls(t.Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (from, targets) in calls)
        {
            foreach (string to in targets.Where(calls.ContainsKey))
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var stack = new Stack<string>([to]);
                while (stack.TryPop(out string? at))
                {
                    if (at == from)
                    {
                        cyclic.Add((from, to));
                        break;
                    }

                    if (seen.Add(at) && calls.TryGetValue(at, out var next))
                    {
                        foreach (string n in next)
                        {
                            stack.Push(n);
                        }
                    }
                }
            }
        }
    }

    static IEnumerable<string> Calls(YMapping template)
    {
        IEnumerable<YNode> steps = List(Map(template["dag"])?["tasks"])
            .Concat(List(template["steps"]).SelectMany(group => group is YMapping old ? old.Entries.Select(e => e.Value) : List(group)));
        foreach (YMapping step in steps.OfType<YMapping>())
        {
            if (Text(step["template"]) is string name)
            {
                yield return name;
            }
        }
    }

    string TemplateName(string template) => ArgoIndex.TemplateName(argoName, template);

    void Queue(string template)
    {
        if (queued.Add(template))
        {
            pending.Enqueue(template);
        }
    }

    static YamlMap Header(string kind, string name) => new YamlMap()
        .Add("apiVersion", ArgoDefaults.ApiVersion)
        .Add("kind", kind)
        .Add("metadata", new YamlMap().Add("name", name));
}
