using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>The Git trigger against a real repository, read as a local path and as a URL (ls-remote, cached clone).</summary>
public sealed class GitTriggerTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    EngineHost host = null!;

    public async Task InitializeAsync() => host = await EngineHost.StartAsync(new EngineHostOptions());

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        repo.Dispose();
    }

    GitTriggerPoller Poller(string repository, string name) => new(
        new WorkflowRepository(new WorkflowRepositoryOptions { Repository = repository, HeadCacheDuration = TimeSpan.Zero }, TaskTypeRegistry.BuiltIn()),
        host.Runs,
        host.Services.GetRequiredService<IEffectJournal>(),
        NullLogger<GitTriggerPoller>.Instance,
        name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_commit_touching_the_paths_starts_one_run_pinned_to_it(bool asUrl)
    {
        repo.Commit("workflows", ("workflows/deploy-web.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: deploy-web}
            spec:
              triggers:
                - git: {paths: ["apps/web/**"]}
              tasks:
                - {name: deploy, uses: log, with: {message: "{{workflow.revision}}"}}
            """), ("apps/web/values.yaml", "replicas: 1\n"));
        string repository = asUrl ? new Uri(repo.Path).AbsoluteUri : repo.Path;
        GitTriggerPoller one = Poller(repository, "host-a"), two = Poller(repository, "host-b");

        Assert.Empty(await one.PollAsync());   // the first look only records the head
        Assert.Empty(await two.PollAsync());

        string unrelated = repo.Commit("docs", ("docs/readme.md", "hello\n"));
        Assert.Empty(await one.PollAsync());

        string touching = repo.Commit("scale web", ("apps/web/values.yaml", "replicas: 3\n"));
        IReadOnlyList<string>[] polls = await Task.WhenAll(one.PollAsync(), two.PollAsync());
        string runId = Assert.Single(polls.SelectMany(p => p));
        Assert.Equal($"deploy-web.git.{touching[..12]}", runId);
        Assert.Empty(await one.PollAsync());

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        RunStatus run = await host.Runs.WatchAsync(runId, _ => Task.CompletedTask, cancellationToken: timeout.Token);
        Assert.Equal(Core.Model.WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(touching, run.Revision);
        Assert.Equal("git", run.Trigger);
        Assert.NotEqual(unrelated, touching);
    }
}
