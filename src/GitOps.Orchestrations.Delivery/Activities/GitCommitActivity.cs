using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Git;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>Writes files or YAML-path edits to a branch, commits only a real change, and pushes with retry.</summary>
public sealed class GitCommitActivity(IGitSources git, ILogger<GitCommitActivity> logger) : TaskActivity<GitCommitRequest, GitCommitResult>
{
    public override Task<GitCommitResult> RunAsync(TaskActivityContext context, GitCommitRequest input) =>
        DeliveryErrors.RunAsync(logger, "git-commit", async () =>
        {
            GitWriteResult written = await git.WriteAsync(new GitWriteRequest
            {
                Repo = input.Repo,
                Branch = input.Branch,
                BaseBranch = input.BaseBranch,
                Auth = input.Auth,
                Message = input.Message,
                SourceCommit = input.SourceCommit,
                Changes = input.Files.Select(f => new GitFileChange(f.File, f.Content, f.Path, f.Value)).ToList(),
            });
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.GitWritten(GitRemote.Redact(input.Repo), input.Branch, written.Commit, written.Changed);
            }

            return new GitCommitResult { Commit = written.Commit, Changed = written.Changed };
        });
}
