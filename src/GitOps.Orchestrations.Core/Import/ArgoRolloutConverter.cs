using GitOps.Orchestrations.Core.Loading;
using static GitOps.Orchestrations.Core.Import.ArgoDocument;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>
/// Argo Rollouts' <c>Rollout</c>. Here a rollout brings a new image to a Deployment that Git
/// already holds, so the pod template of the source is reported as belonging in that Deployment,
/// and its first container's image is the one rolled out. Steps, traffic routing and analyses carry over.
/// </summary>
public sealed class ArgoRolloutConverter : IArgoConverter
{
    static readonly string[] CanaryFields = ["steps", "trafficRouting", "canaryService", "stableService", "analysis", "abortScaleDownDelaySeconds"];

    static readonly string[] BlueGreenFields =
        ["activeService", "previewService", "autoPromotionEnabled", "autoPromotionSeconds", "prePromotionAnalysis", "postPromotionAnalysis", "scaleDownDelaySeconds"];

    public IReadOnlyCollection<string> Kinds { get; } = ["Rollout"];

    public void Convert(ArgoDocument document)
    {
        string? name = Text(Map(document.Root["metadata"])?["name"]);
        if (name is null || Map(document.Root["spec"]) is not YMapping spec || Map(spec["strategy"]) is not YMapping strategy)
        {
            document.Error(document.Root, "Rollout", "needs metadata.name and a spec with a strategy");
            return;
        }

        string label = DnsLabel(name);
        var output = new YamlMap();
        var target = new YamlMap().Add("kind", "Deployment");
        if (Map(spec["workloadRef"]) is YMapping workload)
        {
            target.Add("name", Text(workload["name"]) ?? label);
            output.Add("target", target).Add("image", "{{params.image}}");
            document.Change(workload, "spec.workloadRef", "the Deployment's new image is the param 'image' of each run");
        }
        else
        {
            YMapping? container = List(Map(Map(spec["template"])?["spec"])?["containers"]).OfType<YMapping>().FirstOrDefault();
            target.Add("name", label);
            output.Add("target", target).Add("image", Text(container?["image"]) ?? "{{params.image}}");
            output.Add("container", Text(container?["name"]));
            if (spec["template"] is YNode template)
            {
                document.Change(template, "spec.template", $"a rollout here changes the image of Deployment '{label}', which Git holds with this pod template, replicas and selector; the first container's image is rolled out");
            }
        }

        if (Text(spec["progressDeadlineSeconds"]) is string deadline)
        {
            output.Add("progressDeadline", Duration(deadline));
        }

        var converted = new YamlMap();
        if (Map(strategy["canary"]) is YMapping canary)
        {
            converted.Add("canary", Canary(document, canary));
        }
        else if (Map(strategy["blueGreen"]) is YMapping blueGreen)
        {
            converted.Add("blueGreen", BlueGreen(document, blueGreen));
        }

        document.Rest(strategy, "spec.strategy", ["canary", "blueGreen"]);
        output.Add("strategy", converted);
        document.Rest(spec, "spec", ["strategy", "template", "workloadRef", "progressDeadlineSeconds", "replicas", "selector"], new Dictionary<string, string>
        {
            ["revisionHistoryLimit"] = "the Deployment keeps its own history",
            ["minReadySeconds"] = "readiness is the Deployment's",
            ["progressDeadlineAbort"] = "passing the progress deadline always aborts here",
        });
        YamlMap result = new YamlMap()
            .Add("apiVersion", ArgoDefaults.ApiVersion)
            .Add("kind", "Rollout")
            .Add("metadata", new YamlMap().Add("name", label))
            .Add("spec", output);
        document.Output.Add((result, $"{document.From(document.Root)} (Rollout {name})"));
    }

    static YamlMap Canary(ArgoDocument document, YMapping canary)
    {
        var output = new YamlMap();
        if (Map(canary["trafficRouting"]) is YMapping routing)
        {
            output.Add("trafficRouting", TrafficRouting(document, routing));
        }

        output.Add("stableService", Text(canary["stableService"])).Add("canaryService", Text(canary["canaryService"]));
        var steps = new YamlList();
        foreach (YMapping step in List(canary["steps"]).OfType<YMapping>())
        {
            if (Step(document, step) is YamlMap converted)
            {
                steps.Add(converted, document.From(step));
            }
        }

        output.Add("steps", steps);
        if (Map(canary["analysis"]) is YMapping background)
        {
            YamlMap analysis = Analysis(document, background, "canary.analysis");
            if (Text(background["startingStep"]) is string starting)
            {
                analysis.Add("startingStep", YamlOut.Raw(starting));
            }

            output.Add("analysis", analysis);
        }

        if (Text(canary["abortScaleDownDelaySeconds"]) is string delay)
        {
            output.Add("abortScaleDownDelay", Duration(delay));
        }

        document.Rest(canary, "spec.strategy.canary", CanaryFields, new Dictionary<string, string>
        {
            ["maxSurge"] = "the Deployment's own surge applies",
            ["maxUnavailable"] = "the Deployment's own settings apply",
            ["scaleDownDelaySeconds"] = "the canary is scaled down when the rollout ends",
            ["dynamicStableScale"] = "the stable Deployment keeps its replicas until the rollout ends",
        });
        return output;
    }

    static YamlMap? Step(ArgoDocument document, YMapping step)
    {
        var (key, value) = step.Entries.Count > 0 ? step.Entries[0] : default;
        switch (key?.Value)
        {
            case "setWeight":
                return new YamlMap().Add("setWeight", YamlOut.Raw(Text(value) ?? "0"));
            case "pause":
                var pause = new YamlMap();
                if (Text(Map(value)?["duration"]) is string duration)
                {
                    pause.Add("duration", Duration(duration));
                }

                return new YamlMap().Add("pause", pause);
            case "analysis":
                return new YamlMap().Add("analysis", Analysis(document, Map(value) ?? new YMapping(value.Position, []), "steps.analysis"));
            case "setCanaryScale":
                return new YamlMap().Add("setCanaryScale", document.Copy(value));
            default:
                document.Drop(step, $"steps.{key?.Value}", key?.Value switch
                {
                    "experiment" => "experiments are not offered; an analysis step judges the canary itself",
                    "setHeaderRoute" or "setMirrorRoute" => "header and mirror routes are not offered",
                    _ => "not a step this engine offers (setWeight, pause, analysis, setCanaryScale, approval)",
                });
                return null;
        }
    }

    static YamlMap Analysis(ArgoDocument document, YMapping analysis, string construct)
    {
        var templates = new YamlList();
        foreach (YMapping template in List(analysis["templates"]).OfType<YMapping>())
        {
            templates.Add(new YamlMap().Add("name", Text(template["templateName"]) ?? ""));
            if (template["clusterScope"] is YNode scope)
            {
                document.Change(scope, $"{construct}.clusterScope", "the template is found in the rollout's folder");
            }
        }

        var args = new YamlList();
        foreach (YMapping arg in List(analysis["args"]).OfType<YMapping>())
        {
            if (Text(arg["value"]) is string value)
            {
                args.Add(new YamlMap().Add("name", Text(arg["name"]) ?? "").Add("value", value));
            }
            else
            {
                document.Drop(arg, $"{construct}.args.{Text(arg["name"])}", "an argument's valueFrom (pod template hash, field) is not offered; write its value");
            }
        }

        var output = new YamlMap().Add("templates", templates);
        if (args.Items.Count > 0)
        {
            output.Add("args", args);
        }

        return output;
    }

    static YamlMap TrafficRouting(ArgoDocument document, YMapping routing)
    {
        if (Map(routing["istio"]) is YMapping istio)
        {
            YMapping? service = Map(istio["virtualService"]) ?? List(istio["virtualServices"]).OfType<YMapping>().FirstOrDefault();
            var converted = new YamlMap().Add("virtualService", Text(service?["name"]) ?? "");
            if (service?["routes"] is YSequence routes)
            {
                converted.Add("routes", document.Copy(routes));
            }

            return new YamlMap().Add("istio", converted);
        }

        if (Map(routing["smi"]) is YMapping smi)
        {
            return new YamlMap().Add("smi", new YamlMap().Add("trafficSplit", Text(smi["trafficSplitName"]) ?? ""));
        }

        if (Map(Map(routing["plugins"])?["argoproj-labs/gatewayAPI"]) is YMapping gateway)
        {
            return new YamlMap().Add("gatewayAPI", new YamlMap().Add("httpRoute", Text(gateway["httpRoute"]) ?? ""));
        }

        string provider = (routing.Entries.Count > 0 ? routing.Entries[0].Key.Value : null) ?? "none";
        document.Drop(routing, "trafficRouting", $"the {provider} router is not offered (istio, smi, gatewayAPI are): weights are set by replica counts instead");
        return new YamlMap().Add("replicas", new YamlMap());
    }

    static YamlMap BlueGreen(ArgoDocument document, YMapping blueGreen)
    {
        var output = new YamlMap()
            .Add("activeService", Text(blueGreen["activeService"]))
            .Add("previewService", Text(blueGreen["previewService"]));
        foreach (string field in new[] { "autoPromotionEnabled", "autoPromotionSeconds", "scaleDownDelaySeconds" })
        {
            if (Text(blueGreen[field]) is string value)
            {
                output.Add(field, YamlOut.Raw(value));
            }
        }

        foreach (string field in new[] { "prePromotionAnalysis", "postPromotionAnalysis" })
        {
            if (Map(blueGreen[field]) is YMapping analysis)
            {
                output.Add(field, Analysis(document, analysis, $"blueGreen.{field}"));
            }
        }

        document.Rest(blueGreen, "spec.strategy.blueGreen", BlueGreenFields, new Dictionary<string, string>
        {
            ["previewReplicaCount"] = "the preview runs with the Deployment's replicas",
            ["antiAffinity"] = "anti-affinity is the Deployment's",
        });
        return output;
    }
}
