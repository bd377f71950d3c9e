using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>A benchmark's workflow, loaded as a run's snapshot; a workflow that does not load stops the benchmark.</summary>
public static class BenchSnapshot
{
    public static WorkflowSnapshot Load(string yaml, TaskTypeRegistry registry)
    {
        LoadResult loaded = DocumentLoader.Load("bench.yaml", yaml, registry);
        if (!loaded.Succeeded)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, loaded.Diagnostics));
        }

        return new WorkflowSnapshot { Workflow = loaded.Workflows[0].Definition, Revision = "bench", Source = "bench" };
    }
}
