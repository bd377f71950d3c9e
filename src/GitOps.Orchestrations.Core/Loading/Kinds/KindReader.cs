using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading.Kinds;

/// <summary>
/// What a kind reads its document with: the spec, the name the envelope gave, where it is, and one
/// budget for expanding YAML into JSON shared by the whole document, so that an alias bomb costs
/// the same bounded work whichever kind it hides in.
/// </summary>
public sealed class KindReader
{
    readonly LoadLimits limits;
    int budget;
    bool budgetSpent;

    internal KindReader(string file, string name, YNode document, MappingReader spec, ITaskTypeCatalog taskTypes, LoadLimits limits, List<Diagnostic> diagnostics)
    {
        File = file;
        Name = name;
        Document = document;
        Spec = spec;
        TaskTypes = taskTypes;
        this.limits = limits;
        budget = limits.MaxExpandedNodes;
        Diagnostics = diagnostics;
    }

    public string File { get; }

    /// <summary><c>metadata.name</c>, already checked against the kind's naming rule.</summary>
    public string Name { get; }

    public YNode Document { get; }

    /// <summary><c>metadata.labels</c>, for kinds whose runs read them (<c>workflow.labels.NAME</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>metadata.namespace</c>, for namespaced kinds that name one.</summary>
    public string? Namespace { get; init; }

    public SourcePosition Position => Document.Position;

    internal MappingReader Spec { get; }

    public ITaskTypeCatalog TaskTypes { get; }

    public List<Diagnostic> Diagnostics { get; }

    public LoadLimits Limits => limits;

    /// <summary>Problems reported so far in this file; a kind compares it before and after to know whether its document is sound.</summary>
    public int ProblemCount => Diagnostics.Count;

    public void Error(SourcePosition at, string message) => Diagnostics.Add(new(File, at, message));

    /// <summary>A YAML value as JSON, within the document's budget; past the budget, one diagnostic and null.</summary>
    public JsonElement? Json(YNode node)
    {
        if (budgetSpent)
        {
            return null;
        }

        try
        {
            return YamlJson.ToJson(node, ref budget);
        }
        catch (YamlBudgetExceededException e)
        {
            // One report is enough; everything after the bomb is unreadable anyway.
            Diagnostics.Add(new(File, node.Position, e.Message));
            budgetSpent = true;
            return null;
        }
    }
}
