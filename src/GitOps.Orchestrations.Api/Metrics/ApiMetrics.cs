using GitOps.Orchestrations.Engine;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace GitOps.Orchestrations.Api.Metrics;

/// <summary>
/// <c>/metrics</c> for both hosts, in Prometheus text format. The engine's own instruments (runs,
/// node durations, schedule lag) come through prometheus-net's adapter for .NET meters; the number
/// of gates waiting is read from the task hub at scrape time, so every host reports the same,
/// hub-wide value (aggregate it with max, not sum).
/// </summary>
public static class ApiMetrics
{
    static readonly Lock Gate = new();
    static IDisposable? engineAdapter;

    static readonly Gauge ApprovalsPending = Prometheus.Metrics.CreateGauge("gitops_approvals_pending", "Approval gates waiting for a decision, across the task hub");

    /// <summary>
    /// Starts listening to the engine's meter. Call it when the host starts: measurements taken
    /// before prometheus-net's registry exists are not seen.
    /// </summary>
    public static void Start()
    {
        // prometheus-net's built-in adapter did not export this meter's instruments here (8.2.1),
        // so the engine's meter gets an adapter of its own.
        _ = EngineMetrics.Meter;
        ApprovalsPending.Set(0);
        lock (Gate)
        {
            engineAdapter ??= MeterAdapter.StartListening(new MeterAdapterOptions { InstrumentFilterPredicate = instrument => instrument.Meter.Name == EngineMetrics.MeterName });
        }
    }

    public static async Task WriteAsync(HttpContext http, GitOpsApi api)
    {
        ApprovalsPending.Set((await api.PendingApprovals(http.RequestAborted)).Count);
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
    }
}
