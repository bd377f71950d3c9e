using GitOps.Orchestrations.Core.Jobs;
using GitOps.Orchestrations.Core.Validation;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Jobs;

/// <summary>
/// <c>uses: script</c>: Argo's script template. The source, kept in the workflow file, is mounted
/// into the container from a ConfigMap the Job owns, and run by <c>command</c> (<c>sh</c> unless
/// given, such as <c>[python3]</c>); stdout is <c>outputs.result</c>. Everything else is a <c>job</c>.
/// </summary>
public sealed class ScriptTaskType : ITaskType, ICleansUpWhenCancelled
{
    public TaskTypeSchema Schema { get; } = new("script", new Dictionary<string, FieldSpec>(JobSettings.ContainerFields())
    {
        // Written out, never templated: a param templated into source would become code the script runs.
        ["source"] = new(FieldKind.String, Required: true, Literal: true, Shape: Shape.NonEmptyText(JobDefaults.MaxSourceBytes)),
        ["command"] = new(FieldKind.StringList),
        ["args"] = new(FieldKind.StringList),
    }, Check: JobSettings.SecretsNeedALiteralImage);

    public Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        JobSettings settings = JobSettings.Read(step.With);
        return string.IsNullOrWhiteSpace(settings.Source)
            ? Task.FromResult(StepResult.Failed("with.source is empty: a script step needs the source to run") with { Retryable = false })
            : ContainerSteps.RunAsync(context, step, settings);
    }
}
