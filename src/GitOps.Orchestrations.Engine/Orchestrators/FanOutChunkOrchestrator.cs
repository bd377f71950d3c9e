using System.Text.Json;
using GitOps.Orchestrations.Core.Templating;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Runs up to <see cref="NodeRunner.ChunkSize"/> items of a large fan-out, so that a thousand-item
/// node is ten small histories instead of one history of thousands of events.
/// </summary>
public sealed class FanOutChunkOrchestrator(OrchestrationServices services) : TaskOrchestrator<FanOutChunkInput, List<ItemOutcome>>
{
    public override async Task<List<ItemOutcome>> RunAsync(TaskOrchestrationContext context, FanOutChunkInput input)
    {
        var runner = new NodeRunner(services, context, input.Run, input.RunId);
        var snapshot = input.Run.Snapshot;
        var scope = new TemplateScope(
            input.Run.Params,
            new WorkflowInfo(snapshot.Workflow.Name, input.RunId, snapshot.Revision),
            task => input.UpstreamOutputs.TryGetValue(task, out Dictionary<string, JsonElement>? outputs) ? outputs : null);

        ItemOutcome[] outcomes = await Task.WhenAll(input.Items.Select((item, offset) =>
            runner.RunItemAsync(input.Task, scope.WithItem(item), input.FirstIndex + offset)));
        return [.. outcomes];
    }
}
