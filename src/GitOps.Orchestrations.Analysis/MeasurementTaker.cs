using GitOps.Orchestrations.Core.Analysis;

namespace GitOps.Orchestrations.Analysis;

/// <summary>Takes one measurement of one metric and judges it; a provider failure becomes an Error measurement, never an exception.</summary>
public static class MeasurementTaker
{
    public static async Task<Measurement> TakeAsync(IMetricProvider provider, MetricSpec metric, IReadOnlyDictionary<string, string> args, TimeProvider clock, CancellationToken cancellationToken)
    {
        DateTimeOffset at = clock.GetUtcNow();
        MetricReading reading;
        try
        {
            reading = await provider.ReadAsync(metric, args, cancellationToken);
        }
        catch (MetricProviderException e)
        {
            return new Measurement(at, metric.Name, MeasurementPhase.Error, [], AnalysisTemplateLoader.Fill(metric.Prometheus.Query, args), e.Message);
        }

        try
        {
            (MeasurementPhase phase, string? message) = MeasurementJudge.Judge(metric, reading.Values, reading.Guard);
            return new Measurement(at, metric.Name, phase, reading.Values, reading.Query, message);
        }
        catch (Core.Expressions.ExpressionException e)
        {
            return new Measurement(at, metric.Name, MeasurementPhase.Error, reading.Values, reading.Query, e.Message);
        }
    }
}
