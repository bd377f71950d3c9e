using GitOps.Orchestrations.Core.Model;
using System.Text;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Testing;

public static class WorkflowSnapshots
{
    /// <summary>Loads YAML (all its documents form the library) and snapshots its first workflow, as a run from Git would.</summary>
    public static WorkflowSnapshot Load(string yaml, string file = "test.yaml", TaskTypeRegistry? taskTypes = null)
    {
        taskTypes ??= TaskTypeRegistry.BuiltIn();
        WorkflowCatalog catalog = WorkflowCatalog.Load([new SourceFile(file, Encoding.UTF8.GetBytes(yaml))], taskTypes);
        if (catalog.Diagnostics.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, catalog.Diagnostics));
        }

        string rootName = DocumentLoader.Load(file, yaml, taskTypes).Workflows[0].Definition.Name;
        WorkflowDocument first = catalog.Find(rootName)!;
        return new WorkflowSnapshot { Workflow = first.Definition, Library = catalog.LibraryFor(first.Definition), Templates = catalog.TemplatesFor(first.Definition), AnalysisTemplates = catalog.AnalysisTemplates, Rollouts = catalog.Rollouts, Policies = catalog.Policies, Revision = "test", Source = file };
    }
}
