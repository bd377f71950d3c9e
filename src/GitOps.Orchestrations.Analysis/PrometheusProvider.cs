using System.Globalization;
using GitOps.Orchestrations.Core.Analysis;

namespace GitOps.Orchestrations.Analysis;

/// <summary>Prometheus over its HTTP API: <c>/api/v1/query</c>, or <c>/api/v1/query_range</c> for a range query.</summary>
public sealed class PrometheusProvider(HttpClient http) : IMetricProvider
{
    public string Type => "prometheus";

    public async Task<MetricReading> ReadAsync(MetricSpec metric, IReadOnlyDictionary<string, string> args, CancellationToken cancellationToken)
    {
        PrometheusMetric prometheus = metric.Prometheus;
        string query = AnalysisTemplateLoader.Fill(prometheus.Query, args);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string url = Url(prometheus, query, now);
        IReadOnlyList<double> values = await GetAsync(url, prometheus.Timeout, cancellationToken);
        IReadOnlyList<double>? guard = null;
        if (prometheus.MinSamples is MinSamples minimum)
        {
            guard = await GetAsync(Url(prometheus with { Range = null }, AnalysisTemplateLoader.Fill(minimum.Query, args), now), prometheus.Timeout, cancellationToken);
        }

        return new MetricReading(values, guard, url);
    }

    static string Url(PrometheusMetric prometheus, string query, DateTimeOffset now)
    {
        string address = prometheus.Address.TrimEnd('/');
        string time = Seconds(now);
        return prometheus.Range is RangeQuery range
            ? $"{address}/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Seconds(now - range.Start)}&end={time}&step={range.Step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}"
            : $"{address}/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}";
    }

    static string Seconds(DateTimeOffset at) => (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    async Task<IReadOnlyList<double>> GetAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        string body;
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, limit.Token);
            body = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode && !body.TrimStart().StartsWith('{'))
            {
                throw new MetricProviderException($"Prometheus answered {(int)response.StatusCode}: {Shorten(body)}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MetricProviderException($"Prometheus did not answer within {timeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException e)
        {
            throw new MetricProviderException($"cannot reach Prometheus: {e.Message}", e);
        }

        try
        {
            return PrometheusResult.Parse(body);
        }
        catch (FormatException e)
        {
            throw new MetricProviderException(e.Message, e);
        }
    }

    static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
