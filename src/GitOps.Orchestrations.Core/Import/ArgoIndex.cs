using GitOps.Orchestrations.Core.Loading;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>The Argo WorkflowTemplates and ClusterWorkflowTemplates of the files being imported, so calls between files resolve.</summary>
public sealed class ArgoIndex
{
    readonly Dictionary<string, YMapping> templates = new(StringComparer.Ordinal);

    public void Add(string name, YMapping spec) => templates.TryAdd(name, spec);

    public YMapping? Spec(string name) => templates.GetValueOrDefault(name);

    /// <summary>The engine's name for template <paramref name="template"/> of Argo WorkflowTemplate <paramref name="owner"/>.</summary>
    public static string TemplateName(string owner, string template) => ArgoDocument.DnsLabel($"{owner}-{template}");
}
