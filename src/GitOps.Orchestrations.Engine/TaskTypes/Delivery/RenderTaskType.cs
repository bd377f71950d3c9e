using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Delivery;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Delivery;

/// <summary><c>uses: render</c>: the manifests a source gives at a pinned commit, their digest and, when small, the YAML itself.</summary>
public sealed class RenderTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("render", new Dictionary<string, FieldSpec>
    {
        ["source"] = new(FieldKind.Object, Required: true),
        ["render"] = new(FieldKind.Object),
    }, Result: "manifests");

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        SourceSpec source = DeliverySteps.Read<SourceSpec>(step, "source")!;
        (string? revision, StepResult? failure) = await DeliverySteps.PinAsync(context, step, source);
        if (failure is not null)
        {
            return failure;
        }

        RenderResult rendered = await context.CallActivityAsync<RenderResult>(
            DeliveryActivities.Render, new RenderRequest(source, revision!, DeliverySteps.Read<RenderSpec>(step, "render") ?? new RenderSpec(), IncludeManifests: true));
        return rendered.Error is not null
            ? DeliverySteps.Fail(rendered)
            : StepResult.Succeeded(DeliverySteps.Outputs(("revision", revision), ("digest", rendered.Digest), ("objects", rendered.Objects), ("manifests", rendered.Manifests)))
                with { Message = $"{rendered.Objects} objects, {rendered.Digest[..19]}" };
    }
}
