using DurableTask.Core;
using DurableTask.Core.History;
using GitOps.Orchestrations.Hosting.Backends;

namespace GitOps.Orchestrations.Engine.Tests;

public class SidecarServiceAdapterTests
{
    static readonly OrchestrationInstance Instance = new() { InstanceId = "run-1", ExecutionId = "exec-1" };

    static TaskMessage Start(OrchestrationInstance instance) =>
        new() { OrchestrationInstance = instance, Event = new ExecutionStartedEvent(-1, "{}") { OrchestrationInstance = instance, Name = "Workflow" } };

    static TaskMessage TimerFired() =>
        new() { OrchestrationInstance = Instance, Event = new TimerFiredEvent(-1) { TimerId = 3, FireAt = DateTime.UtcNow } };

    [Fact]
    public void A_start_message_delivered_again_after_a_takeover_is_dropped_and_the_rest_kept()
    {
        var runtime = new OrchestrationRuntimeState([new OrchestratorStartedEvent(-1), Start(Instance).Event]);
        var workItem = new TaskOrchestrationWorkItem
        {
            InstanceId = Instance.InstanceId,
            OrchestrationRuntimeState = runtime,
            NewMessages = [Start(Instance), TimerFired()],
        };

        SidecarServiceAdapter.DropRedeliveredStarts(workItem);

        TaskMessage left = Assert.Single(workItem.NewMessages);
        Assert.IsType<TimerFiredEvent>(left.Event);
        runtime.AddEvent(left.Event);
    }

    [Fact]
    public void The_first_start_message_and_a_new_execution_after_continue_as_new_are_kept()
    {
        var fresh = new TaskOrchestrationWorkItem
        {
            InstanceId = Instance.InstanceId,
            OrchestrationRuntimeState = new OrchestrationRuntimeState(),
            NewMessages = [Start(Instance)],
        };
        SidecarServiceAdapter.DropRedeliveredStarts(fresh);
        Assert.Single(fresh.NewMessages);

        var next = new OrchestrationInstance { InstanceId = Instance.InstanceId, ExecutionId = "exec-2" };
        var continued = new TaskOrchestrationWorkItem
        {
            InstanceId = Instance.InstanceId,
            OrchestrationRuntimeState = new OrchestrationRuntimeState([Start(Instance).Event]),
            NewMessages = [Start(next)],
        };
        SidecarServiceAdapter.DropRedeliveredStarts(continued);
        Assert.Equal("exec-2", Assert.Single(continued.NewMessages).OrchestrationInstance.ExecutionId);
    }
}
