using GitOps.Orchestrations.Core.Jobs;
using GitOps.Orchestrations.Core.Validation;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Jobs;

/// <summary>
/// <c>uses: job</c>: runs a container as a Kubernetes Job in a cluster the server names, and
/// succeeds when it exits 0. Outputs are <c>exitCode</c>, <c>log</c> (the end of the log),
/// <c>result</c> (stdout, or a file with <c>result.path</c>), <c>json</c> when the result is JSON,
/// and each name of <c>outputs</c> read from it.
/// </summary>
public sealed class JobTaskType : ITaskType, ICleansUpWhenCancelled
{
    public TaskTypeSchema Schema { get; } = new("job", new Dictionary<string, FieldSpec>(JobSettings.ContainerFields())
    {
        ["command"] = new(FieldKind.StringList),
        ["args"] = new(FieldKind.StringList),
    }, Check: JobSettings.SecretsNeedALiteralImage);

    public Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step) =>
        ContainerSteps.RunAsync(context, step, JobSettings.Read(step.With));
}
