using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Delivery.Policies;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Rendering;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>
/// The rendered-manifests pattern: the normalized render goes to <c>PATH/manifest.yaml</c> on a
/// branch of an environment repository, with a <c>Source-Commit:</c> trailer naming the commit it
/// came from. An unchanged render commits nothing.
/// </summary>
public sealed class WriteRenderedActivity(RenderService renderer, IGitSources git, PolicyGate policies, ILogger<WriteRenderedActivity> logger) : TaskActivity<WriteRenderedRequest, GitCommitResult>
{
    public const string FileName = "manifest.yaml";

    public override Task<GitCommitResult> RunAsync(TaskActivityContext context, WriteRenderedRequest input) =>
        DeliveryErrors.RunAsync(logger, "write rendered", async () =>
        {
            ManifestSet rendered = await renderer.RenderAsync(input.Source, input.Revision, input.Render);
            // Objects that name no namespace are the environment's to place; a Policy sees them nowhere.
            PolicyGateResult gate = policies.Check(rendered, input.Policies, defaultNamespace: null);
            if (gate.Refusal is not null)
            {
                logger.StepFailed("write rendered", gate.Refusal);
                return new GitCommitResult { Error = gate.Refusal, Digest = rendered.Digest, Policy = gate.Findings };
            }

            ManifestSet set = gate.Set;
            string path = input.Target.Path.Trim('/') is "" or "." ? FileName : $"{input.Target.Path.Trim('/')}/{FileName}";
            GitWriteResult written = await git.WriteAsync(new GitWriteRequest
            {
                Repo = input.Target.Repo,
                Branch = input.Target.Branch,
                Auth = input.Target.Auth,
                Message = $"{input.Application}: render {GitRemote.Redact(input.Source.Repo)}@{input.Revision[..12]}",
                Changes = [new GitFileChange(path, Content: set.Yaml)],
                SourceCommit = input.Revision,
            });
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.GitWritten(GitRemote.Redact(input.Target.Repo), input.Target.Branch, written.Commit, written.Changed);
            }

            return new GitCommitResult { Commit = written.Commit, Changed = written.Changed, Digest = set.Digest, Policy = gate.Findings };
        });
}
