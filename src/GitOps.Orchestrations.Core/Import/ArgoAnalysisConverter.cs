using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Loading;
using static GitOps.Orchestrations.Core.Import.ArgoDocument;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>
/// Argo Rollouts' <c>AnalysisTemplate</c> and <c>ClusterAnalysisTemplate</c>: Prometheus metrics
/// carry over field by field, conditions rewritten from expr; a metric of another provider is reported and left out.
/// </summary>
public sealed partial class ArgoAnalysisConverter : IArgoConverter
{
    static readonly string[] MetricFields =
        ["name", "interval", "count", "initialDelay", "successCondition", "failureCondition", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit", "provider"];

    public IReadOnlyCollection<string> Kinds { get; } = ["AnalysisTemplate", "ClusterAnalysisTemplate"];

    public void Convert(ArgoDocument document)
    {
        string? name = Text(Map(document.Root["metadata"])?["name"]);
        if (name is null || Map(document.Root["spec"]) is not YMapping spec)
        {
            document.Error(document.Root, document.Kind, "needs metadata.name and a spec");
            return;
        }

        var output = new YamlMap();
        var args = new YamlList();
        foreach (YMapping arg in List(spec["args"]).OfType<YMapping>())
        {
            var converted = new YamlMap().Add("name", Text(arg["name"]) ?? "").Add("value", Text(arg["value"]));
            if (arg["valueFrom"] is YNode from)
            {
                document.Drop(from, $"args.{Text(arg["name"])}.valueFrom", "an argument is given by the rollout or workflow that runs the analysis; Secrets and fields are not read");
            }

            args.Add(converted);
        }

        if (args.Items.Count > 0)
        {
            output.Add("args", args);
        }

        var metrics = new YamlList();
        foreach (YMapping metric in List(spec["metrics"]).OfType<YMapping>())
        {
            if (Metric(document, metric) is YamlMap converted)
            {
                metrics.Add(converted, document.From(metric));
            }
        }

        document.Rest(spec, "spec", ["args", "metrics"], new Dictionary<string, string>
        {
            ["dryRun"] = "dry-run metrics are not offered: try a template with gitops analyze",
            ["measurementRetention"] = "the last 100 measurements are kept",
        });
        if (metrics.Items.Count == 0)
        {
            document.Drop(spec, "spec.metrics", "no metric this engine can measure: the template is not written");
            return;
        }

        output.Add("metrics", metrics);
        string label = name.ToLowerInvariant();
        YamlMap result = new YamlMap()
            .Add("apiVersion", ArgoDefaults.ApiVersion)
            .Add("kind", "AnalysisTemplate")
            .Add("metadata", new YamlMap().Add("name", label))
            .Add("spec", output);
        if (document.Kind == "ClusterAnalysisTemplate")
        {
            document.Change(document.Root, document.Kind, "templates are found in the folder of the rollout or workflow that uses them, not the cluster");
        }

        document.Output.Add((result, $"{document.From(document.Root)} ({document.Kind} {name})"));
    }

    static YamlMap? Metric(ArgoDocument document, YMapping metric)
    {
        string name = Text(metric["name"]) ?? "";
        string construct = $"metric {name}";
        YMapping? provider = Map(metric["provider"]);
        if (Map(provider?["prometheus"]) is not YMapping prometheus)
        {
            string kind = (provider is { Entries.Count: > 0 } ? provider.Entries[0].Key.Value : null) ?? "none";
            document.Drop(metric, construct, $"the {kind} provider is not offered; Prometheus is");
            return null;
        }

        var output = new YamlMap().Add("name", name);
        foreach (string field in new[] { "interval", "initialDelay" })
        {
            if (Text(metric[field]) is string duration)
            {
                output.Add(field, Duration(duration));
            }
        }

        foreach (string field in new[] { "count", "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit" })
        {
            if (Text(metric[field]) is string number)
            {
                if (int.TryParse(number, out _))
                {
                    output.Add(field, YamlOut.Raw(number));
                }
                else
                {
                    document.Drop(metric[field]!, $"{construct}.{field}", $"'{number}' is not a number; a templated {field} is not offered");
                }
            }
        }

        var references = new ArgoReferences();
        foreach (string field in new[] { "successCondition", "failureCondition" })
        {
            if (metric[field] is YNode node && Text(node) is string condition)
            {
                string? translated = ArgoExpressions.Translate(condition, ArgoExpressions.Dialect.Expr, references);
                document.Report(node, $"{construct}.{field}", references);
                if (translated is null)
                {
                    // Without its condition a metric would pass on any data: it is left out instead.
                    document.Drop(metric, construct, $"its {field} cannot be translated, so the metric is not written");
                    return null;
                }

                output.Add(field, translated);
            }
        }

        var converted = new YamlMap().Add("address", Text(prometheus["address"])).Add("query", Text(prometheus["query"]));
        if (Text(prometheus["timeout"]) is string timeout)
        {
            converted.Add("timeout", Duration(timeout));
        }

        if (Map(prometheus["rangeQuery"]) is YMapping range)
        {
            Match start = RangeStart().Match(Text(range["start"]) ?? "");
            if (start.Success)
            {
                converted.Add("rangeQuery", new YamlMap().Add("start", start.Groups["span"].Value).Add("step", Text(range["step"]) ?? "1m"));
            }
            else
            {
                document.Drop(range, $"{construct}.rangeQuery", "a range is written as how far back it starts (start: 5m) and its step; it always ends now");
            }
        }

        document.Rest(prometheus, $"{construct}.prometheus", ["address", "query", "timeout", "rangeQuery"], new Dictionary<string, string>
        {
            ["authentication"] = "Prometheus credentials come from the server's configuration",
            ["headers"] = "Prometheus headers come from the server's configuration",
            ["insecure"] = "certificates are always verified",
        });
        output.Add("provider", new YamlMap().Add("prometheus", converted));
        document.Rest(metric, construct, MetricFields);
        return output;
    }

    [GeneratedRegex(@"^\s*now\(\)\s*-\s*duration\(\s*[""'](?<span>\d+[smh])[""']\s*\)\s*\z")]
    private static partial Regex RangeStart();
}
