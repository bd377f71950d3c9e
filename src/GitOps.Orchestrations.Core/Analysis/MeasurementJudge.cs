using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;

namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>
/// Judges one measurement, as Argo Rollouts does, with one rule it lacks: no data is not data.
/// An empty result, or one holding NaN or ±Inf, is Inconclusive, whatever the conditions would say;
/// so is a measurement whose minimum-sample guard saw too little traffic.
/// </summary>
public static class MeasurementJudge
{
    /// <param name="guard">What the minimum-sample guard's query returned, when the metric has one.</param>
    public static (MeasurementPhase Phase, string? Message) Judge(MetricSpec metric, IReadOnlyList<double> result, IReadOnlyList<double>? guard = null)
    {
        if (metric.Prometheus.MinSamples is MinSamples minimum && guard is not null)
        {
            double seen = guard.Count == 0 || guard.Any(v => !double.IsFinite(v)) ? 0 : guard.Sum();
            if (seen < minimum.Value)
            {
                return (MeasurementPhase.Inconclusive, $"minimum-sample guard: {PrometheusResult.Format(seen)} < {PrometheusResult.Format(minimum.Value)}");
            }
        }

        if (result.Count == 0)
        {
            return (MeasurementPhase.Inconclusive, "no data: the query returned an empty result");
        }

        if (result.Any(v => !double.IsFinite(v)))
        {
            return (MeasurementPhase.Inconclusive, "no data: the result holds NaN or an infinity");
        }

        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["result"] = JsonSerializer.SerializeToElement(result),
        };
        bool? success = metric.SuccessCondition is string s ? ExpressionLanguage.EvaluateBoolean(s, variables) : null;
        bool? failure = metric.FailureCondition is string f ? ExpressionLanguage.EvaluateBoolean(f, variables) : null;

        // Argo: without conditions, success; with one, the other is its negation; with both and neither true, Inconclusive.
        (bool succeeded, bool failed) = (success, failure) switch
        {
            (null, null) => (true, false),
            ({ } ok, null) => (ok, !ok),
            (null, { } bad) => (!bad, bad),
            ({ } ok, { } bad) => (ok, bad),
        };
        return failed ? (MeasurementPhase.Failed, null)
            : succeeded ? (MeasurementPhase.Successful, null)
            : (MeasurementPhase.Inconclusive, "neither condition is true");
    }
}
