using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>Phase of one DAG node. Names follow Argo Workflows.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NodePhase>))]
public enum NodePhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Errored,
    Skipped,
    Omitted,
}

[JsonConverter(typeof(JsonStringEnumConverter<WorkflowPhase>))]
public enum WorkflowPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Errored,
    Terminated,
}

public static class PhaseExtensions
{
    public static bool IsTerminal(this NodePhase phase) => phase is not (NodePhase.Pending or NodePhase.Running);

    public static bool IsFailure(this NodePhase phase) => phase is NodePhase.Failed or NodePhase.Errored;

    public static bool IsTerminal(this WorkflowPhase phase) => phase is not (WorkflowPhase.Pending or WorkflowPhase.Running);
}
