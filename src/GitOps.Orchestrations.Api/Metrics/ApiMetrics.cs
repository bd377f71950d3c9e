using GitOps.Orchestrations.Engine;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace GitOps.Orchestrations.Api.Metrics;

/// <summary>
/// <c>/metrics</c> for both hosts, in Prometheus text format. The engine's own instruments (runs,
/// node durations, schedule lag) come through <see cref="EngineMeterExporter"/>; the number
/// of gates waiting is read from the task hub at scrape time, so every host reports the same,
/// hub-wide value (aggregate it with max, not sum).
/// </summary>
public static class ApiMetrics
{
    static readonly Lock Gate = new();
    static IDisposable? engineExporter;

    static readonly Gauge ApprovalsPending = Prometheus.Metrics.CreateGauge("gitops_approvals_pending", "Approval gates waiting for a decision, across the task hub");

    /// <summary>
    /// Starts listening to the engine's meter. Call it when the host starts: measurements taken
    /// before prometheus-net's registry exists are not seen.
    /// </summary>
    public static void Start()
    {
        // prometheus-net would also export every .NET meter of the process as an unsuffixed gauge
        // ("(ObservableCounter`1)" in its help); the engine's instruments are exported properly below,
        // and the runtime's are not the product's to name.
        SuppressOnce();
        _ = EngineMetrics.Meter;
        ApprovalsPending.Set(0);
        lock (Gate)
        {
            engineExporter ??= EngineMeterExporter.Start();
        }
    }

    static bool suppressed;

    static void SuppressOnce()
    {
        lock (Gate)
        {
            if (!suppressed)
            {
                Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true, SuppressDebugMetrics = true });
                suppressed = true;
            }
        }
    }

    public static async Task WriteAsync(HttpContext http, GitOpsApi api)
    {
        ApprovalsPending.Set((await api.PendingApprovals(http.RequestAborted)).Count);
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
    }
}
