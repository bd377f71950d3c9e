using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Delivery;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Delivery;

/// <summary>
/// <c>uses: sync</c>: Git → render → apply in one step, like an Argo CD Application sync. The source
/// revision is pinned to a SHA first; the target is a cluster (server-side apply, prune, health wait)
/// or an environment repository (the rendered-manifests pattern). <c>apply</c> and <c>diff</c> are
/// this same step restricted to a cluster, the second without writing.
/// </summary>
public sealed class SyncTaskType(string name = "sync", bool clusterOnly = false, bool alwaysDryRun = false) : ITaskType
{
    public const int MaxChangesInOutputs = 50;

    public static SyncTaskType Apply() => new("apply", clusterOnly: true);

    public static SyncTaskType Diff() => new("diff", clusterOnly: true, alwaysDryRun: true);

    public TaskTypeSchema Schema { get; } = new(name, new Dictionary<string, FieldSpec>
    {
        ["source"] = new(FieldKind.Object, Required: true),
        ["render"] = new(FieldKind.Object),
        ["target"] = new(FieldKind.Object, Required: true),
        ["name"] = new(FieldKind.String),
        ["prune"] = new(FieldKind.Boolean),
        ["dryRun"] = new(FieldKind.Boolean),
        ["forceConflicts"] = new(FieldKind.Boolean),
        ["wait"] = new(FieldKind.Object),
        ["ignoreDifferences"] = new(FieldKind.Any),
        ["policies"] = new(FieldKind.StringList),
    });

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        SourceSpec source = DeliverySteps.Read<SourceSpec>(step, "source")!;
        RenderSpec render = DeliverySteps.Read<RenderSpec>(step, "render") ?? new RenderSpec();
        TargetSpec target = DeliverySteps.Read<TargetSpec>(step, "target")!;
        if ((target.Kubernetes is null) == (target.Git is null) || (clusterOnly && target.Kubernetes is null))
        {
            return StepResult.Failed(clusterOnly ? $"{name} needs target.kubernetes" : "target needs exactly one of kubernetes and git") with { Retryable = false };
        }

        (string? pinned, StepResult? failure) = await DeliverySteps.PinAsync(context, step, source);
        if (pinned is null)
        {
            return failure!;
        }

        (IReadOnlyList<PolicyDefinition>? policies, string? unknown) = NamedPolicies(step);
        if (policies is null)
        {
            return StepResult.Failed(unknown!) with { Retryable = false };
        }

        string revision = pinned;
        string application = DeliverySteps.Application(step);
        step.Report(new StepProgress($"rendering and applying {source.Repo}@{revision[..Math.Min(12, revision.Length)]}"));
        if (target.Git is GitTargetSpec git)
        {
            GitCommitResult written = await context.CallActivityAsync<GitCommitResult>(DeliveryActivities.WriteRendered, new WriteRenderedRequest(source, revision, render, git, application) { Policies = policies });
            return written.Error is not null
                ? DeliverySteps.Fail(written) with { Outputs = PolicyOutputs(written.Policy) }
                : StepResult.Succeeded(DeliverySteps.Outputs([("revision", revision), ("digest", written.Digest), ("commit", written.Commit), ("changed", written.Changed), .. PolicyValues(written.Policy)]))
                    with { Message = written.Changed ? $"rendered {revision[..12]} into {written.Commit[..12]}" : $"{git.Repo} already holds this render ({written.Commit[..12]})" };
        }

        bool dryRun = alwaysDryRun || DeliverySteps.Flag(step, "dryRun");
        var request = new ApplyRequest
        {
            Source = source,
            Revision = revision,
            Render = render,
            Target = target.Kubernetes!,
            Application = application,
            Prune = DeliverySteps.Flag(step, "prune"),
            DryRun = dryRun,
            ForceConflicts = DeliverySteps.Flag(step, "forceConflicts", fallback: true),
            IgnoreDifferences = DeliverySteps.Read<List<IgnoreDifference>>(step, "ignoreDifferences") ?? [],
            Policies = policies,
        };
        ApplyResult applied = await context.CallActivityAsync<ApplyResult>(DeliveryActivities.Apply, request);
        if (applied.Error is not null)
        {
            return DeliverySteps.Fail(applied) with { Outputs = PolicyOutputs(applied.Policy) };
        }

        // Outputs travel with the run's checkpoints; a first sync of hundreds of objects lists the first ones and a count.
        List<ObjectChangeView> changes = applied.Changes.Where(c => c.Action != "unchanged").ToList();
        var outputs = DeliverySteps.Outputs([
            ("revision", revision), ("digest", applied.Digest), ("writes", applied.Writes), ("application", application),
            ("changes", changes.Take(MaxChangesInOutputs).ToList()), ("changesOmitted", changes.Count > MaxChangesInOutputs ? changes.Count - MaxChangesInOutputs : null),
            ("diff", dryRun ? applied.Diff : null), .. PolicyValues(applied.Policy)]);
        if (!dryRun && DeliverySteps.Read<WaitSpec>(step, "wait") is { Health: true } wait)
        {
            step.Report(new StepProgress($"applied ({applied.Summary}); waiting for health"));
            if (await DeliverySteps.WaitHealthyAsync(context, step, target.Kubernetes!, application, wait) is StepResult unhealthy)
            {
                return unhealthy with { Outputs = outputs };
            }
        }

        string audited = applied.Policy is { Violations.Count: > 0 } found ? $"; {found.Violations.Count} policy violation(s) recorded under Audit" : string.Empty;
        return StepResult.Succeeded(outputs) with { Message = (dryRun ? $"dry run: {applied.Summary}" : applied.Summary) + audited };
    }

    /// <summary>The step's <c>policies</c>, from the run's snapshot; a name it does not hold (a templated one) fails the step.</summary>
    static (IReadOnlyList<PolicyDefinition>? Policies, string? Problem) NamedPolicies(StepInvocation step)
    {
        var policies = new List<PolicyDefinition>();
        foreach (string name in DeliverySteps.Read<List<string>>(step, "policies") ?? [])
        {
            if (!step.Snapshot.Policies.TryGetValue(name, out PolicyDefinition? policy))
            {
                return (null, $"policy '{name}' is not a ClusterPolicy or Policy of the workflow's folder at {step.Snapshot.Revision}");
            }

            policies.Add(policy);
        }

        return (policies, null);
    }

    /// <summary>Violations travel with the run's checkpoints; a render that breaks a rule everywhere lists the first ones and a count.</summary>
    static (string Name, object? Value)[] PolicyValues(PolicyFindings? findings) => findings is null ? [] :
    [
        ("policies", findings.Policies),
        ("violations", findings.Violations.Take(MaxChangesInOutputs).ToList()),
        ("violationsOmitted", findings.Violations.Count > MaxChangesInOutputs ? findings.Violations.Count - MaxChangesInOutputs : null),
        ("mutated", findings.Mutated > 0 ? findings.Mutated : null),
    ];

    static Dictionary<string, System.Text.Json.JsonElement> PolicyOutputs(PolicyFindings? findings) => DeliverySteps.Outputs(PolicyValues(findings));
}
