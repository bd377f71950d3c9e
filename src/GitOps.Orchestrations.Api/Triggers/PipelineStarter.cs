using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Promotion;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Triggers;

/// <summary>
/// Keeps every Pipeline of the configured branch running: each pipeline is one eternal
/// orchestration with a fixed id, so starting one that runs is a no-op and several hosts agree.
/// Decision: a running pipeline keeps the definition it started with; to take a changed definition,
/// terminate it and the next look starts it again from the branch head.
/// </summary>
public sealed partial class PipelineStarter(WorkflowRepository repository, WorkflowRunClient runs, ILogger<PipelineStarter> logger, TimeSpan pollInterval)
{
    public async Task<IReadOnlyList<string>> EnsureRunningAsync(CancellationToken cancellationToken = default)
    {
        CatalogAtRevision current = await repository.CurrentAsync(cancellationToken);
        var started = new List<string>();
        foreach (PipelineDefinition pipeline in current.Catalog.Pipelines.Values)
        {
            started.Add(await runs.StartPipelineAsync(new PipelineInput
            {
                Pipeline = pipeline,
                Templates = current.Catalog.AnalysisTemplates,
                Revision = current.Revision,
                Source = current.Source,
                StartedBy = "server",
                PollInterval = pollInterval,
            }, cancellationToken));
        }

        if (started.Count > 0)
        {
            Running(logger, started.Count, current.Revision);
        }

        return started;
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "{Count} pipeline(s) running, from {Revision}")]
    private static partial void Running(ILogger logger, int count, string revision);
}
