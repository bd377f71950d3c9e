using GitOps.Orchestrations.Core.Analysis;

namespace GitOps.Orchestrations.Analysis;

/// <summary>What one measurement read: the values, the minimum-sample guard's values when there is a guard, and the query as sent.</summary>
public sealed record MetricReading(IReadOnlyList<double> Values, IReadOnlyList<double>? Guard, string Query);

/// <summary>One metric source (Flagger's and Argo Rollouts' metric provider). Failures throw <see cref="MetricProviderException"/>.</summary>
public interface IMetricProvider
{
    string Type { get; }

    Task<MetricReading> ReadAsync(MetricSpec metric, IReadOnlyDictionary<string, string> args, CancellationToken cancellationToken);
}

/// <summary>The provider could not answer: unreachable, too slow, or refusing the query. The measurement is an Error.</summary>
public sealed class MetricProviderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Maps a template's provider name to its implementation. An unknown name is an error, never Prometheus by default.</summary>
public static class MetricProviderFactory
{
    public static IMetricProvider Create(string type, HttpClient http) => type switch
    {
        "prometheus" => new PrometheusProvider(http),
        _ => throw new ArgumentException($"unknown metric provider '{type}' (known: {string.Join(", ", AnalysisTemplateLoader.Providers)})"),
    };
}
