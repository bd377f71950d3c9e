namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>
/// <c>kind: AnalysisTemplate</c>, as Argo Rollouts defines it: named metrics, each measured on an
/// interval by a provider and judged by success and failure conditions, within limits.
/// </summary>
public sealed record AnalysisTemplate(string Name, IReadOnlyList<AnalysisArg> Args, IReadOnlyList<MetricSpec> Metrics);

/// <param name="Value">The default, when the template gives one; a run may set it.</param>
public sealed record AnalysisArg(string Name, string? Value);

public sealed record MetricSpec
{
    public required string Name { get; init; }

    /// <summary>Time between measurements; without it the metric is measured once.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>How many measurements; defaults to one without an interval, unbounded (until another limit ends it) with one.</summary>
    public int? Count { get; init; }

    public TimeSpan InitialDelay { get; init; }

    public string? SuccessCondition { get; init; }

    public string? FailureCondition { get; init; }

    /// <summary>Failed measurements allowed before the metric fails (Argo's default: 0).</summary>
    public int FailureLimit { get; init; }

    /// <summary>Inconclusive measurements allowed before the metric is Inconclusive (Argo's default: 0).</summary>
    public int InconclusiveLimit { get; init; }

    /// <summary>Consecutive Error measurements allowed; one more fails the metric (Argo's default: 4).</summary>
    public int ConsecutiveErrorLimit { get; init; } = 4;

    public required PrometheusMetric Prometheus { get; init; }

    /// <summary>The number of measurements this metric takes, or null when only its limits end it.</summary>
    public int? EffectiveCount => Count ?? (Interval is null ? 1 : null);
}

/// <summary>A Prometheus query, instant or over a range, with an optional minimum-sample guard.</summary>
public sealed record PrometheusMetric
{
    public required string Address { get; init; }

    public required string Query { get; init; }

    /// <summary>When set, the query runs over <c>/api/v1/query_range</c> and every sample of every series counts.</summary>
    public RangeQuery? Range { get; init; }

    public MinSamples? MinSamples { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <param name="Start">How far back the range starts, such as 5m.</param>
/// <param name="Step">The resolution, such as 30s.</param>
public sealed record RangeQuery(TimeSpan Start, TimeSpan Step);

/// <summary>The traffic guard: when <see cref="Query"/> gives less than <see cref="Value"/>, the measurement is Inconclusive.</summary>
public sealed record MinSamples(string Query, double Value);

/// <summary>One measurement to take: the metric and the arguments its queries use.</summary>
public sealed record MeasureRequest(MetricSpec Metric, IReadOnlyDictionary<string, string> Args);
