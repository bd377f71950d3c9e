using System.Text.Json;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Argo's <c>workflow.failures</c>: the nodes that Failed or Errored, each with its name, task type,
/// phase, message and end, so an exit handler can report what went wrong without an API call.
/// </summary>
internal static class RunFailures
{
    public static JsonElement Of(IEnumerable<NodeStatus> nodes, WorkflowDefinition workflow) =>
        JsonSerializer.SerializeToElement(nodes.Where(n => n.Phase.IsFailure()).Select(n => new
        {
            displayName = n.Name,
            templateName = workflow.Tasks.FirstOrDefault(t => t.Name == n.Name)?.Uses,
            phase = n.Phase.ToString(),
            message = n.Message ?? string.Empty,
            finishedAt = n.FinishedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        }));
}
