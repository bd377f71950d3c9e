using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Delivery;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Delivery;

/// <summary>
/// <c>uses: git-commit</c>: write files, or single values at YAML paths, into a branch, then commit
/// and push. Nothing is committed when the branch already has the content; a rejected push is
/// replayed on the new head.
/// </summary>
public sealed class GitCommitTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("git-commit", new Dictionary<string, FieldSpec>
    {
        ["repo"] = new(FieldKind.String, Required: true),
        ["branch"] = new(FieldKind.String),
        ["baseBranch"] = new(FieldKind.String),
        ["message"] = new(FieldKind.String),
        ["files"] = new(FieldKind.Any, Required: true),
        ["auth"] = new(FieldKind.Object),
        ["sourceCommit"] = new(FieldKind.String),
    });

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        var request = new GitCommitRequest
        {
            Repo = step.GetString("repo")!,
            Branch = step.GetString("branch") ?? "main",
            BaseBranch = step.GetString("baseBranch"),
            Auth = DeliverySteps.Read<GitAuthSpec>(step, "auth"),
            Message = step.GetString("message") ?? $"{step.Snapshot.Workflow.Name}/{step.Node} (run {step.RunId})",
            Files = DeliverySteps.Read<List<FileEdit>>(step, "files") ?? [],
            SourceCommit = step.GetString("sourceCommit"),
        };
        GitCommitResult result = await context.CallActivityAsync<GitCommitResult>(DeliveryActivities.GitCommit, request);
        return result.Error is not null
            ? DeliverySteps.Fail(result)
            : StepResult.Succeeded(DeliverySteps.Outputs(("commit", result.Commit), ("changed", result.Changed)))
                with { Message = result.Changed ? $"pushed {result.Commit[..12]} to {request.Branch}" : $"{request.Branch} already up to date at {result.Commit[..12]}" };
    }
}
