using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Rendering;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>Renders a source at a pinned commit; the result is cached, so apply and diff steps that follow render nothing again.</summary>
public sealed class RenderActivity(RenderService renderer, ILogger<RenderActivity> logger) : TaskActivity<RenderRequest, RenderResult>
{
    /// <summary>Manifests larger than this stay out of the step's outputs; the digest still identifies them.</summary>
    public const int MaxManifestChars = 16 * 1024;

    public override Task<RenderResult> RunAsync(TaskActivityContext context, RenderRequest input) =>
        DeliveryErrors.RunAsync(logger, "render", async () =>
        {
            ManifestSet set = await renderer.RenderAsync(input.Source, input.Revision, input.Render);
            return new RenderResult
            {
                Digest = set.Digest,
                Objects = set.Objects.Count,
                Manifests = input.IncludeManifests && set.Yaml.Length <= MaxManifestChars ? set.Yaml : null,
            };
        });
}
