using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Git;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>A branch, tag or SHA → the commit SHA, with one ls-remote for a remote repository and no fetch.</summary>
public sealed class ResolveSourceActivity(IGitSources git, ILogger<ResolveSourceActivity> logger) : TaskActivity<SourceSpec, ResolveSourceResult>
{
    public override Task<ResolveSourceResult> RunAsync(TaskActivityContext context, SourceSpec input) =>
        DeliveryErrors.RunAsync(logger, "resolve", async () =>
        {
            string sha = await git.ResolveAsync(input);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.SourceResolved(GitRemote.Redact(input.Repo), input.Revision ?? "HEAD", sha);
            }

            return new ResolveSourceResult { Revision = sha };
        });
}
