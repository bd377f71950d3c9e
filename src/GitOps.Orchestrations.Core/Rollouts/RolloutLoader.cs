using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>
/// Reads <c>kind: Rollout</c> documents with a <c>file:line:col</c> diagnostic for each problem: a
/// step that is not exactly one known step, a weight out of range, an unknown traffic provider
/// (never a silent default), a background analysis starting past the last step.
/// </summary>
public static class RolloutLoader
{
    public const string Kind = "Rollout";

    static readonly string[] StepKinds = ["setWeight", "pause", "analysis", "approval", "setCanaryScale"];

    /// <summary>Reads the spec of a Rollout whose envelope has been read; null when it has errors.</summary>
    public static RolloutDefinition? Read(KindReader reader)
    {
        string file = reader.File;
        string name = reader.Name;
        List<Diagnostic> diagnostics = reader.Diagnostics;
        int before = diagnostics.Count;
        MappingReader spec = reader.Spec;

        RolloutTarget? target = ReadTarget(file, spec.Node("target", required: true), diagnostics);
        string? image = spec.String("image", required: true);
        string? container = spec.String("container");
        TimeSpan deadline = spec.Duration("progressDeadline") ?? RolloutDefaults.ProgressDeadline;
        CanaryStrategy? canary = null;
        BlueGreenStrategy? blueGreen = null;
        if (MappingReader.For(file, spec.Node("strategy", required: true), "strategy", diagnostics) is MappingReader strategy)
        {
            canary = strategy.Node("canary") is YNode canaryNode ? ReadCanary(file, canaryNode, diagnostics) : null;
            blueGreen = strategy.Node("blueGreen") is YNode blueGreenNode ? ReadBlueGreen(file, blueGreenNode, diagnostics) : null;
            if (strategy.Mapping["canary"] is not null == strategy.Mapping["blueGreen"] is not null)
            {
                strategy.Error(strategy.Mapping.Position, "strategy must have exactly one of canary or blueGreen");
            }

            strategy.RejectUnknown();
        }

        spec.RejectUnknown();
        return diagnostics.Count == before && target is not null && image is not null
            ? new RolloutDefinition { Name = name, At = reader.Position, Target = target, Image = image, Container = container, ProgressDeadline = deadline, Canary = canary, BlueGreen = blueGreen }
            : null;
    }

    static RolloutTarget? ReadTarget(string file, YNode? node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "target", diagnostics) is not MappingReader target)
        {
            return null;
        }

        string kind = target.String("kind") ?? RolloutDefaults.TargetKind;
        if (kind != RolloutDefaults.TargetKind)
        {
            target.Error(target.PositionOf("kind")!.Value, $"a rollout changes a Deployment, not a {kind}");
        }

        string? name = target.String("name", required: true);
        var result = new RolloutTarget
        {
            Kind = kind,
            Name = name ?? string.Empty,
            Namespace = target.String("namespace") ?? RolloutDefaults.Namespace,
            Cluster = target.String("cluster"),
        };
        target.RejectUnknown();
        return name is null ? null : result;
    }

    static CanaryStrategy? ReadCanary(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "canary", diagnostics) is not MappingReader canary)
        {
            return null;
        }

        TrafficRouting routing = canary.Node("trafficRouting") is YNode routingNode
            ? ReadTrafficRouting(file, routingNode, diagnostics)
            : new TrafficRouting(TrafficRouting.Replicas);
        var steps = new List<RolloutStep>();
        int written = 0;
        if (canary.Node("steps", required: true) is YNode stepsNode)
        {
            if (stepsNode is not YSequence { Items.Count: > 0 } list)
            {
                canary.Error(stepsNode.Position, "steps must list at least one step");
            }
            else
            {
                written = list.Items.Count;
                foreach (YNode item in list.Items)
                {
                    if (ReadStep(file, item, diagnostics) is not RolloutStep step)
                    {
                        continue;
                    }

                    // As in Argo Rollouts: without a mesh the weight is the pod split, so there is no separate canary scale to set.
                    if (step is CanaryScaleStep && routing.Provider == TrafficRouting.Replicas)
                    {
                        canary.Error(item.Position, "setCanaryScale needs trafficRouting: with the replicas router the weight already sets the canary's pods");
                    }

                    steps.Add(step);
                }
            }
        }

        AnalysisReference? background = canary.Node("analysis") is YNode analysisNode ? ReadAnalysis(file, analysisNode, "analysis", diagnostics, background: true) : null;
        if (background is not null && written > 0 && background.StartingStep >= written)
        {
            canary.Error(canary.PositionOf("analysis")!.Value, $"analysis.startingStep is {background.StartingStep}, but the steps are numbered 0 to {written - 1}");
        }

        var result = new CanaryStrategy
        {
            TrafficRouting = routing,
            Steps = steps,
            Analysis = background,
            AbortScaleDownDelay = canary.Duration("abortScaleDownDelay") ?? RolloutDefaults.AbortScaleDownDelay,
            StableService = canary.String("stableService"),
            CanaryService = canary.String("canaryService"),
        };
        canary.RejectUnknown();
        return result;
    }

    static TrafficRouting ReadTrafficRouting(string file, YNode node, List<Diagnostic> diagnostics)
    {
        var fallback = new TrafficRouting(TrafficRouting.Replicas);
        if (MappingReader.For(file, node, "trafficRouting", diagnostics) is not MappingReader routing)
        {
            return fallback;
        }

        if (routing.Mapping.Entries.Count != 1)
        {
            routing.Error(routing.Mapping.Position, $"trafficRouting must name exactly one provider (known: {string.Join(", ", TrafficRouting.Providers)})");
            return fallback;
        }

        var (key, value) = routing.Mapping.Entries[0];
        (string field, string what)? resource = key.Value switch
        {
            TrafficRouting.Replicas => null,
            TrafficRouting.GatewayApi => ("httpRoute", "an HTTPRoute"),
            TrafficRouting.Istio => ("virtualService", "a VirtualService"),
            TrafficRouting.Smi => ("trafficSplit", "a TrafficSplit"),
            _ => ("", ""),
        };
        if (resource is ("", ""))
        {
            routing.Error(key.Position, $"unknown traffic provider '{key.Value}' (known: {string.Join(", ", TrafficRouting.Providers)})");
            return fallback;
        }

        routing.Node(key.Value);
        if (MappingReader.For(file, value is YScalar { IsNull: true } ? new YMapping(value.Position, []) : value, key.Value, diagnostics) is not MappingReader provider)
        {
            return fallback;
        }

        string? name = resource is { } r ? provider.String(r.field, required: true) : null;
        IReadOnlyList<string>? routes = key.Value == TrafficRouting.Istio ? Strings(provider, "routes") : null;
        provider.RejectUnknown();
        return new TrafficRouting(key.Value, name, routes);
    }

    static RolloutStep? ReadStep(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "a step", diagnostics) is not MappingReader step)
        {
            return null;
        }

        if (step.Mapping.Entries.Count != 1 || !StepKinds.Contains(step.Mapping.Entries[0].Key.Value))
        {
            step.Error(step.Mapping.Position, $"a step must be exactly one of {string.Join(", ", StepKinds)}");
            return null;
        }

        var (key, value) = step.Mapping.Entries[0];
        step.Node(key.Value);
        YNode body = value is YScalar { IsNull: true } ? new YMapping(value.Position, []) : value;
        switch (key.Value)
        {
            case "setWeight":
                return step.Integer("setWeight", 0, 100) is int weight ? new SetWeightStep(weight) : null;
            case "pause":
                if (MappingReader.For(file, body, "pause", diagnostics) is not MappingReader pause)
                {
                    return null;
                }

                TimeSpan? duration = pause.Duration("duration");
                pause.RejectUnknown();
                return new PauseStep(duration);
            case "analysis":
                return ReadAnalysis(file, body, "analysis", diagnostics, background: false) is AnalysisReference analysis
                    ? new AnalysisStep(analysis)
                    : null;
            case "approval":
                return ReadApproval(file, body, diagnostics) is RolloutApproval approval
                    ? new ApprovalStep(approval)
                    : null;
            default:
                return ReadCanaryScale(file, body, diagnostics) is CanaryScale scale
                    ? new CanaryScaleStep(scale)
                    : null;
        }
    }

    internal static AnalysisReference? ReadAnalysis(string file, YNode node, string what, List<Diagnostic> diagnostics, bool background)
    {
        if (MappingReader.For(file, node, what, diagnostics) is not MappingReader analysis)
        {
            return null;
        }

        int before = diagnostics.Count;
        var templates = new List<string>();
        if (analysis.Node("templates", required: true) is YNode list)
        {
            if (list is not YSequence { Items.Count: > 0 } sequence)
            {
                analysis.Error(list.Position, "templates must list at least one {name: TEMPLATE}");
            }
            else
            {
                foreach (YNode item in sequence.Items)
                {
                    if (MappingReader.For(file, item, "a template reference", diagnostics) is MappingReader reference && reference.String("name", required: true) is string name)
                    {
                        templates.Add(name);
                        reference.RejectUnknown();
                    }
                }
            }
        }

        var args = new List<AnalysisArgValue>();
        if (analysis.Node("args") is YSequence argList)
        {
            foreach (YNode item in argList.Items)
            {
                if (MappingReader.For(file, item, "an arg", diagnostics) is MappingReader arg && arg.String("name", required: true) is string name && arg.String("value", required: true) is string value)
                {
                    args.Add(new AnalysisArgValue(name, value));
                    arg.RejectUnknown();
                }
            }
        }

        int starting = background ? analysis.Integer("startingStep", min: 0) ?? 0 : 0;
        analysis.RejectUnknown();
        return diagnostics.Count == before ? new AnalysisReference(templates, args, starting) { At = analysis.PositionOf("templates") ?? analysis.Mapping.Position } : null;
    }

    static RolloutApproval? ReadApproval(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "approval", diagnostics) is not MappingReader approval)
        {
            return null;
        }

        ApprovalPolicy policy = ApprovalPolicyReader.Read(approval);
        TimeSpan timeout = approval.Duration("timeout") ?? RolloutDefaults.ApprovalTimeout;
        string onTimeout = approval.String("onTimeout") ?? RolloutDefaults.ApprovalOnTimeout;
        // Every gate speaks approve or reject; a rollout's gate also takes Argo's abort and promote.
        if (onTimeout is not ("approve" or "reject" or "abort" or "promote"))
        {
            approval.Error(approval.PositionOf("onTimeout")!.Value, $"onTimeout must be approve or reject (or, for a rollout, promote or abort), not '{onTimeout}'");
        }

        string? message = approval.String("message");
        approval.RejectUnknown();
        return new RolloutApproval(policy.Approvers, policy.Quorum, timeout, onTimeout, policy.AllowSelfApproval, message);
    }

    static CanaryScale? ReadCanaryScale(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "setCanaryScale", diagnostics) is not MappingReader scale)
        {
            return null;
        }

        int? weight = scale.Integer("weight", 0, 100);
        int? replicas = scale.Integer("replicas", min: 0);
        bool match = scale.Boolean("matchTrafficWeight") ?? false;
        scale.RejectUnknown();
        if ((weight is not null ? 1 : 0) + (replicas is not null ? 1 : 0) + (match ? 1 : 0) != 1)
        {
            scale.Error(scale.Mapping.Position, "setCanaryScale takes exactly one of weight, replicas or matchTrafficWeight: true");
            return null;
        }

        return new CanaryScale(weight, replicas, match);
    }

    static BlueGreenStrategy? ReadBlueGreen(string file, YNode node, List<Diagnostic> diagnostics)
    {
        if (MappingReader.For(file, node, "blueGreen", diagnostics) is not MappingReader blueGreen)
        {
            return null;
        }

        string? active = blueGreen.String("activeService", required: true);
        var result = new BlueGreenStrategy
        {
            ActiveService = active ?? string.Empty,
            PreviewService = blueGreen.String("previewService"),
            AutoPromotionEnabled = blueGreen.Boolean("autoPromotionEnabled") ?? RolloutDefaults.AutoPromotionEnabled,
            AutoPromotionSeconds = blueGreen.Integer("autoPromotionSeconds", min: 0) is int seconds ? TimeSpan.FromSeconds(seconds) : null,
            PrePromotionAnalysis = blueGreen.Node("prePromotionAnalysis") is YNode pre ? ReadAnalysis(file, pre, "prePromotionAnalysis", diagnostics, background: false) : null,
            PostPromotionAnalysis = blueGreen.Node("postPromotionAnalysis") is YNode post ? ReadAnalysis(file, post, "postPromotionAnalysis", diagnostics, background: false) : null,
            ScaleDownDelay = blueGreen.Integer("scaleDownDelaySeconds", min: 0) is int delay ? TimeSpan.FromSeconds(delay) : blueGreen.Duration("scaleDownDelay") ?? RolloutDefaults.ScaleDownDelay,
        };
        blueGreen.RejectUnknown();
        return active is null ? null : result;
    }

    static IReadOnlyList<string>? Strings(MappingReader reader, string field)
    {
        switch (reader.Node(field))
        {
            case null:
                return null;
            case YSequence sequence when sequence.Items.All(i => i is YScalar):
                return sequence.Items.Cast<YScalar>().Select(s => s.Value).ToList();
            case YNode other:
                reader.Error(other.Position, $"'{field}' must be a list of strings");
                return null;
        }
    }
}
