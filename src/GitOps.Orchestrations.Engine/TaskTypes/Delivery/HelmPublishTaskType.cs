using System.Text.Json;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Promotion;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Delivery;

/// <summary>
/// <c>uses: helm-publish</c>: put a chart version from one repository into the next, the seed's
/// bronze → silver → gold promotion. The archive is never rebuilt: its bytes must match the source
/// index's digest, and the same bytes land in the target (an HTTP repository, or one kept in Git)
/// with its index regenerated. Publishing what is already there changes nothing.
/// </summary>
public sealed class HelmPublishTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("helm-publish", new Dictionary<string, FieldSpec>
    {
        ["chart"] = new(FieldKind.String, Required: true),
        ["version"] = new(FieldKind.String, Required: true),
        ["from"] = new(FieldKind.Any, Required: true),
        ["to"] = new(FieldKind.Any, Required: true),
    });

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        var request = new HelmPublishRequest(Repository(step, "from"), Repository(step, "to"), step.GetString("chart")!, step.GetString("version")!);
        HelmPublishResult result = await context.CallActivityAsync<HelmPublishResult>(PromotionActivities.HelmPublish, request);
        if (result.Error is not null)
        {
            return DeliverySteps.Fail(result);
        }

        string to = request.To.Url ?? request.To.Git!.Repo;
        return StepResult.Succeeded(DeliverySteps.Outputs(("digest", result.Digest), ("published", !result.AlreadyThere)))
            with { Message = result.AlreadyThere ? $"{request.Chart} {request.Version} already in {to}" : $"published {request.Chart} {request.Version} (sha256:{result.Digest[..12]}) to {to}" };
    }

    /// <summary><c>from</c> and <c>to</c>: a URL, or <c>{git: {repo, branch, path}}</c>.</summary>
    static ChartRepositorySpec Repository(StepInvocation step, string field) =>
        step.With.GetProperty(field) is { ValueKind: JsonValueKind.String } url
            ? new ChartRepositorySpec { Url = url.GetString() }
            : DeliverySteps.Read<ChartRepositorySpec>(step, field) ?? throw new FormatException($"with.{field} is a chart repository URL or {{git: {{repo, branch, path}}}}");
}
