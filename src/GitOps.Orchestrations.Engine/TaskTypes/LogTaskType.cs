using System.Text.Json;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Activities;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary><c>uses: log</c>: writes a message to the run's log and outputs it as <c>message</c>.</summary>
public sealed class LogTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("log", new Dictionary<string, FieldSpec>
    {
        ["message"] = new(FieldKind.String, Required: true),
        ["level"] = new(FieldKind.String, AllowedValues: ["info", "warning", "error"]),
    }, Result: "message");

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        var request = new LogRequest(step.RunId, step.Path, step.GetString("message") ?? string.Empty, step.GetString("level") ?? "info");
        string written = await context.CallActivityAsync<string>(nameof(LogActivity), request);
        return StepResult.Succeeded(new() { ["message"] = JsonSerializer.SerializeToElement(written) });
    }
}
