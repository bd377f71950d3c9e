using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

static class Load
{
    public static LoadResult Text(string yaml, LoadLimits? limits = null) => DocumentLoader.Load("wf.yaml", yaml, TaskTypeRegistry.BuiltIn(), limits);

    public static string[] Errors(string yaml) => Text(yaml).Diagnostics.Select(d => d.ToString()).ToArray();

    public static string Workflow(string tasks, string extraSpec = "") => $"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {"{"}name: t{"}"}
        spec:
        {extraSpec}  tasks:
        {tasks}
        """;
}
