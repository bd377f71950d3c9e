using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>The served branch under load: Git off the request threads, and one refresh for many callers.</summary>
public sealed class WorkflowRepositoryTests : IAsyncLifetime
{
    readonly GitRepository work = new();
    readonly string cache = Directory.CreateTempSubdirectory("gitops-repository-").FullName;
    GitServers servers = null!;

    public async Task InitializeAsync()
    {
        servers = await GitServers.StartAsync();
        work.Commit("workflows", ("workflows/hello.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: hello}\nspec:\n  tasks: [{name: a, uses: log, with: {message: hi}}]\n"));
        servers.Publish("flows.git", work);
    }

    public async Task DisposeAsync()
    {
        await servers.DisposeAsync();
        work.Dispose();
        Directory.Delete(cache, recursive: true);
    }

    // A look-up that finished before its caller reached its await once stayed behind as the one "in
    // progress", and every later call answered with that old head: a Git trigger then went back to an
    // older commit and started a run for it. Each look-up below must see the commit just made.
    [Fact]
    public async Task Every_look_up_after_a_commit_sees_that_commit_never_an_earlier_head()
    {
        var repository = new WorkflowRepository(new WorkflowRepositoryOptions { Repository = work.Path, HeadCacheDuration = TimeSpan.Zero }, TaskTypeRegistry.BuiltIn());
        for (int i = 0; i < 150; i++)
        {
            string commit = work.Commit($"change {i}", ("notes.txt", $"{i}\n"));

            Assert.Equal(commit, await repository.HeadAsync());
            Assert.Equal(commit, (await repository.CurrentAsync()).Revision);
        }
    }

    [Fact]
    public async Task Many_callers_at_once_share_one_head_look_up_and_one_load()
    {
        var repository = new WorkflowRepository(new WorkflowRepositoryOptions { Repository = $"{servers.GitUrl}/flows.git", CacheDirectory = cache }, TaskTypeRegistry.BuiltIn());
        CatalogAtRevision[] seen = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => repository.CurrentAsync())));
        Assert.Single(seen.Distinct());
        Assert.Equal(work.Head, seen[0].Revision);
        Assert.Equal(1, repository.Traffic.LsRemotes);
        Assert.Equal(1, repository.Traffic.Fetches);

        // A moved head is one more look-up and one more load, once its cached head has gone stale.
        work.Commit("more", ("workflows/second.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: second}\nspec:\n  tasks: [{name: a, uses: log, with: {message: hi}}]\n"));
        servers.Publish("flows.git", work);
        await Eventually.True(async () => (await repository.CurrentAsync()).Revision == work.Head, "the new head to be served");
        Assert.Contains((await repository.CurrentAsync()).Catalog.Workflows, w => w.Definition.Name == "second");
        Assert.Equal(2, repository.Traffic.Fetches);
    }

    static string Probe(string version) =>
        $"apiVersion: gitops.orchestrations/v1\nkind: WorkflowTemplate\nmetadata: {{name: probe}}\nspec:\n  inputs: [{{name: what}}]\n  task: {{uses: log, with: {{message: '{version} {{{{params.what}}}}'}}}}\n";

    static string Caller(string repository, string revision) =>
        $"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: ci}}\nspec:\n  tasks:\n    - {{name: check, templateRef: {{name: probe, repo: \"{repository}\", revision: \"{revision}\"}}, with: {{what: shop}}}}\n";

    [Fact]
    public async Task A_template_of_another_repository_is_read_at_its_pinned_commit_into_the_runs_snapshot()
    {
        using var templates = new GitRepository();
        string pinned = templates.Commit("probe v1", ("workflows/probe.yaml", Probe("v1")));
        servers.Publish("templates.git", templates);
        templates.Commit("probe v2", ("workflows/probe.yaml", Probe("v2")));
        servers.Publish("templates.git", templates);   // the branch moves on; the pin does not

        using var flows = new GitRepository();
        flows.Commit("ci", ("workflows/ci.yaml", Caller($"{servers.GitUrl}/templates.git", pinned)));
        var repository = new WorkflowRepository(new WorkflowRepositoryOptions { Repository = flows.Path, CacheDirectory = cache, HeadCacheDuration = TimeSpan.Zero }, TaskTypeRegistry.BuiltIn());
        ResolvedWorkflow resolved = await repository.ResolveAsync("ci", null);
        Assert.True(resolved.Succeeded, string.Join("\n", resolved.Diagnostics) + resolved.Error);
        WorkflowDefinition template = Assert.Single(resolved.Snapshot!.Templates.Values);
        Assert.Equal("v1 {{params.what}}", template.Tasks[0].With!.Value.GetProperty("message").GetString());

        // A commit the repository does not have, and a repository that is not there, are problems at the call.
        flows.Commit("bad pin", ("workflows/ci.yaml", Caller($"{servers.GitUrl}/templates.git", new string('f', 40))));
        ResolvedWorkflow unknown = await repository.ResolveAsync("ci", null);
        Assert.False(unknown.Succeeded);
        Assert.StartsWith("workflows/ci.yaml:6:41: error: templates of ", Assert.Single(unknown.Diagnostics).ToString(), StringComparison.Ordinal);
        flows.Commit("no repo", ("workflows/ci.yaml", Caller($"{servers.GitUrl}/missing.git", pinned)));
        ResolvedWorkflow missing = await repository.ResolveAsync("ci", null);
        Assert.Contains("cannot be read", Assert.Single(missing.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Git_runs_on_its_own_threads_not_the_thread_pool()
    {
        (bool pool, string? name) = await GitWork.RunAsync(() => (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
        Assert.False(pool);
        Assert.StartsWith("gitops-git-", name, StringComparison.Ordinal);
    }
}
