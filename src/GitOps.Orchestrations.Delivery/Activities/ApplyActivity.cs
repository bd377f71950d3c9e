using GitOps.Orchestrations.Core.Manifests;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Delivery.Policies;
using GitOps.Orchestrations.Delivery.Secrets;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.LiveObjects;
using GitOps.Orchestrations.Rendering;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>
/// Renders (from cache when it can) and applies to a cluster. Safe to run twice: a redelivered
/// activity finds every object already as desired and writes nothing.
/// </summary>
public sealed class ApplyActivity(ClusterRegistry clusters, LiveObjectCaches liveObjects, RenderService renderer, PolicyGate policies, SealedSecrets sealedSecrets, ILogger<ApplyActivity> logger) : TaskActivity<ApplyRequest, ApplyResult>
{
    /// <summary>Diffs longer than this are cut; they travel through orchestration history.</summary>
    public const int MaxDiffChars = 32 * 1024;

    public override Task<ApplyResult> RunAsync(TaskActivityContext context, ApplyRequest input) =>
        DeliveryErrors.RunAsync(logger, "apply", async () =>
        {
            ManifestSet rendered = await renderer.RenderAsync(input.Source, input.Revision, input.Render);
            PolicyGateResult gate = policies.Check(rendered, input.Policies, input.Target.Namespace);
            if (gate.Refusal is not null)
            {
                logger.StepFailed("apply", gate.Refusal);
                return new ApplyResult { Error = gate.Refusal, Digest = rendered.Digest, Policy = gate.Findings };
            }

            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            ManifestSet set = SealedSecrets.AnyIn(gate.Set) && !await ServesSealedSecretsAsync(client)
                ? sealedSecrets.Unseal(gate.Set, input.Target.Namespace)
                : gate.Set;
            ApplyReport report = await new KubernetesApplier(client, liveObjects.For(input.Target.Cluster)).ApplyAsync(set, Options(input, gate.Set.Digest));
            logger.Applied(input.Application, input.Revision, report.Summary, report.Writes);
            return new ApplyResult
            {
                // The render's digest: an unsealed set's would be a hash over plaintext values.
                Digest = gate.Set.Digest,
                Summary = report.Summary,
                Writes = report.Writes,
                Changes = report.Changes.Where(c => c.Action != "unchanged").Select(c => new ObjectChangeView(c.Object, c.Action, c.Fields)).ToList(),
                Diff = report.Diff.Length > MaxDiffChars ? report.Diff[..MaxDiffChars] + "\n… (diff cut)\n" : report.Diff,
                Policy = gate.Findings,
            };
        });

    /// <summary>
    /// Whether the cluster serves the SealedSecret kind (the controller's chart installs its CRD):
    /// then SealedSecrets are applied as they are and the controller unseals them.
    /// </summary>
    static async Task<bool> ServesSealedSecretsAsync(ClusterClient client) =>
        await client.GetDiscoveryAsync("/apis/bitnami.com/v1alpha1", CancellationToken.None) is JsonObject discovery
        && (discovery["resources"] as JsonArray)?.Any(r => (string?)r?["kind"] == SealedSecretFormat.Kind) == true;

    internal static ApplyOptions Options(ApplyRequest input, string renderDigest) => new()
    {
        Application = input.Application,
        Namespace = input.Target.Namespace,
        Prune = input.Prune,
        DryRun = input.DryRun,
        ForceConflicts = input.ForceConflicts,
        Ignore = input.IgnoreDifferences,
        Source = new AppliedSource(input.Source, input.Revision, input.Render, renderDigest, input.Prune, input.ForceConflicts),
    };
}
