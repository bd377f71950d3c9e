using System.Text.Json;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Engine.Runs;
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
        using var stop = new CancellationTokenSource();
        var runner = new NodeRunner(services, context, input.Run, input.RunId) { RunCancellation = stop.Token };
        var snapshot = input.Run.Snapshot;
        var scope = new TemplateScope(
            input.Run.Params,
            new WorkflowInfo(snapshot.Workflow.Name, input.RunId, snapshot.Revision)
            {
                CreatedAt = input.Run.CreatedAt,
                Clock = () => context.CurrentUtcDateTime,
                Labels = snapshot.Workflow.Labels,
            },
            task => input.UpstreamOutputs.TryGetValue(task, out Dictionary<string, JsonElement>? outputs) ? outputs : null,
            input.SkippedUpstream.Contains,
            input.UpstreamStatus.GetValueOrDefault);

        Task<ItemOutcome[]> items = input.Parallelism is int limit
            ? BoundedStart.RunAsync(input.Items.Count, limit, offset => runner.RunItemAsync(input.Task, scope.WithItem(input.Items[offset]), input.FirstIndex + offset), NodeRunner.NotStarted, stop.Token)
            : Task.WhenAll(input.Items.Select((item, offset) => runner.RunItemAsync(input.Task, scope.WithItem(item), input.FirstIndex + offset)));
        Task<StopRequest> stopWait = context.WaitForExternalEvent<StopRequest>(RunStop.Event);
        while (await Task.WhenAny(items, stopWait) == stopWait)
        {
            // The run that started this chunk stopped: its items stop as the run's own nodes do.
            if (services.Approvals.Verifies(context.InstanceId, await stopWait))
            {
                stop.Cancel();
                break;
            }

            stopWait = context.WaitForExternalEvent<StopRequest>(RunStop.Event);
        }

        return [.. await items];
    }
}
