using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Orchestrations.Analysis;

/// <summary>What a host wires up for <c>uses: analysis</c>: the HTTP client metric providers use, and the measuring activity.</summary>
public static class AnalysisRegistration
{
    public static IServiceCollection AddGitOpsAnalysis(this IServiceCollection services)
    {
        services.AddHttpClient(MeasureActivity.ClientName);
        return services;
    }

    public static DurableTaskRegistry AddGitOpsAnalysisTasks(this DurableTaskRegistry registry) => registry.AddActivity<MeasureActivity>();
}
