using GitOps.Orchestrations.Core.Analysis;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Analysis;

/// <summary>
/// Takes one measurement for the analysis sub-orchestration. A measurement is a read, so a
/// redelivered activity simply measures again; what the orchestration keeps is the one it got.
/// </summary>
public sealed class MeasureActivity(IHttpClientFactory clients) : TaskActivity<MeasureRequest, Measurement>
{
    public const string ClientName = "gitops-metrics";

    public override Task<Measurement> RunAsync(TaskActivityContext context, MeasureRequest input) =>
        MeasurementTaker.TakeAsync(MetricProviderFactory.Create("prometheus", clients.CreateClient(ClientName)), input.Metric, input.Args, TimeProvider.System, CancellationToken.None);
}
