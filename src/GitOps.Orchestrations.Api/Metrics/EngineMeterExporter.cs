using System.Diagnostics.Metrics;
using GitOps.Orchestrations.Engine;
using Prometheus;

namespace GitOps.Orchestrations.Api.Metrics;

/// <summary>
/// The engine's BCL instruments as Prometheus metrics that follow Prometheus' conventions: counters
/// are <c>counter</c>s named <c>…_total</c>, histograms keep their buckets. prometheus-net's
/// generic meter adapter exported them as unsuffixed gauges with the .NET type in the help text.
/// Each instrument's labels are declared here, by name, because Prometheus fixes them per metric.
/// </summary>
internal static class EngineMeterExporter
{
    const string Prefix = "gitops_orchestrations_";

    static readonly double[] DurationBuckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

    static readonly Dictionary<string, Action<double, ReadOnlySpan<KeyValuePair<string, object?>>>> Sinks = new(StringComparer.Ordinal)
    {
        ["runs_started"] = Count("runs_started_total", "Runs started, by workflow and trigger (http, schedule, git, webhook, queue, blob, retry, cli)", "workflow", "trigger"),
        ["runs_finished"] = Count("runs_finished_total", "Runs finished, by workflow and phase", "workflow", "phase"),
        ["node_duration_seconds"] = Observe("node_duration_seconds", "How long nodes ran, from start to end, by workflow and phase", "workflow", "phase"),
        ["schedule_lag_seconds"] = Observe("schedule_lag_seconds", "How long after its slot a scheduled run was started", "workflow"),
        ["events_received"] = Count("events_received_total", "Events received, by source (webhook, queue, blob), name and outcome (started, duplicate, ignored, unsigned, malformed, failed)", "source", "name", "outcome"),
        ["notifications"] = Count("notifications_total", "Notifications, by channel type and outcome (sent, failed, duplicate)", "channel", "outcome"),
    };

    public static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EngineMetrics.MeterName && Sinks.ContainsKey(instrument.Name))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Sinks[instrument.Name](value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Sinks[instrument.Name](value, tags));
        listener.Start();
        return listener;
    }

    static Action<double, ReadOnlySpan<KeyValuePair<string, object?>>> Count(string name, string help, params string[] labels)
    {
        Counter counter = Prometheus.Metrics.CreateCounter(Prefix + name, help, labels);
        return (value, tags) => counter.WithLabels(Values(labels, tags)).Inc(value);
    }

    static Action<double, ReadOnlySpan<KeyValuePair<string, object?>>> Observe(string name, string help, params string[] labels)
    {
        Histogram histogram = Prometheus.Metrics.CreateHistogram(Prefix + name, help, new HistogramConfiguration { LabelNames = labels, Buckets = DurationBuckets });
        return (value, tags) => histogram.WithLabels(Values(labels, tags)).Observe(value);
    }

    static string[] Values(string[] labels, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var values = new string[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            values[i] = string.Empty;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == labels[i])
                {
                    values[i] = tag.Value?.ToString() ?? string.Empty;
                }
            }
        }

        return values;
    }
}
