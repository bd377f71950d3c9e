namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>Argo Rollouts' phases of one measurement.</summary>
public enum MeasurementPhase
{
    Successful,
    Failed,
    Inconclusive,
    Error,
}

/// <summary>Argo Rollouts' phases of a metric and of a whole analysis.</summary>
public enum AnalysisPhase
{
    Running,
    Successful,
    Failed,
    Inconclusive,
}

/// <summary>
/// One measurement, kept whole for audit, plotting and debugging: when, what came back, how it was
/// judged, and the query exactly as it was sent.
/// </summary>
public sealed record Measurement(
    DateTimeOffset At,
    string Metric,
    MeasurementPhase Phase,
    [property: System.Text.Json.Serialization.JsonNumberHandling(System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals)] IReadOnlyList<double> Value,
    string Query,
    string? Message = null)
{
    /// <summary>The value as text (NaN and infinities spelled as Prometheus spells them).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ValueText => "[" + string.Join(", ", Value.Select(PrometheusResult.Format)) + "]";
}
