using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>Git remotes served by the real git daemon and git http-backend.</summary>
public sealed class GitSourceTests : IAsyncLifetime
{
    readonly GitRepository work = new();
    readonly string cache = Directory.CreateTempSubdirectory("gitops-git-cache-").FullName;
    GitServers servers = null!;

    public async Task InitializeAsync()
    {
        servers = await GitServers.StartAsync();
        work.Commit("app", ("app/cm.yaml", Apps.ConfigMap("a", "1")));
        servers.Publish("app.git", work);
        Environment.SetEnvironmentVariable("GITOPS_TEST_TOKEN", GitServers.Token);
        Environment.SetEnvironmentVariable("GITOPS_TEST_WRONG_TOKEN", "wrong-token-456");
    }

    public async Task DisposeAsync()
    {
        await servers.DisposeAsync();
        work.Dispose();
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task A_git_daemon_remote_resolves_with_one_ls_remote_and_an_unchanged_resync_fetches_nothing()
    {
        var checkout = new GitCheckout(cache);
        var source = new SourceSpec { Repo = $"{servers.GitUrl}/app.git", Revision = "main" };
        string sha = await checkout.ResolveAsync(source);
        string folder = await checkout.ExportAsync(source, sha);
        Assert.Equal(work.Head, sha);
        Assert.True(File.Exists(Path.Combine(folder, "app", "cm.yaml")));

        Assert.Equal(sha, await checkout.ResolveAsync(source));
        Assert.Equal(folder, await checkout.ExportAsync(source, sha));
        Assert.Equal(2, checkout.Traffic.LsRemotes);
        Assert.Equal(1, checkout.Traffic.Fetches);

        // A new commit is fetched once, into the same clone.
        work.Commit("more", ("app/cm.yaml", Apps.ConfigMap("a", "2")));
        servers.Publish("app.git", work);
        string next = await checkout.ResolveAsync(source);
        Assert.Contains("value: \"2\"", File.ReadAllText(Path.Combine(await checkout.ExportAsync(source, next), "app", "cm.yaml")));
        Assert.Equal(2, checkout.Traffic.Fetches);
    }

    [Fact]
    public void Https_style_remotes_take_a_token_from_the_environment_and_never_show_it()
    {
        var checkout = new GitCheckout(cache);
        var good = new SourceSpec { Repo = $"{servers.HttpUrl}/app.git", Revision = "main", Auth = new GitAuthSpec { TokenEnv = "GITOPS_TEST_TOKEN" } };
        string sha = GitCheckout.Resolve(good);
        Assert.True(File.Exists(Path.Combine(checkout.Export(good, sha), "app", "cm.yaml")));

        var wrong = good with { Auth = new GitAuthSpec { TokenEnv = "GITOPS_TEST_WRONG_TOKEN" } };
        var refused = Assert.Throws<GitSourceException>(() => GitCheckout.Resolve(wrong));
        Assert.DoesNotContain("wrong-token-456", refused.Message);

        string withUserInfo = $"{servers.HttpUrl.Replace("http://", "http://git:" + GitServers.Token + "@", StringComparison.Ordinal)}/missing.git";
        var missing = Assert.Throws<GitSourceException>(() => GitCheckout.Resolve(new SourceSpec { Repo = withUserInfo }));
        Assert.DoesNotContain(GitServers.Token, missing.Message);
        Assert.Contains("***@", missing.Message);
    }

    [Fact]
    public void A_file_url_resolves_and_exports_like_any_remote()
    {
        var source = new SourceSpec { Repo = new Uri(Path.Combine(servers.Root, "app.git")).AbsoluteUri, Revision = "main" };
        Assert.StartsWith("file://", source.Repo);
        string sha = GitCheckout.Resolve(source);
        Assert.Equal(work.Head, sha);
        Assert.True(File.Exists(Path.Combine(new GitCheckout(cache).Export(source, sha), "app", "cm.yaml")));
    }

    [Fact]
    public void An_unreachable_repository_is_a_clear_error()
    {
        var error = Assert.Throws<GitSourceException>(() => GitCheckout.Resolve(new SourceSpec { Repo = "git://127.0.0.1:1/nothing.git" }));
        Assert.StartsWith("git://127.0.0.1:1/nothing.git: ", error.Message);
    }

    [Fact]
    public async Task Writes_commit_only_real_changes_record_the_source_and_survive_concurrent_pushes()
    {
        string url = $"{servers.GitUrl}/app.git";
        GitWriteResult first = await GitWriter.WriteAsync(new GitWriteRequest { Repo = url, Branch = "main", Message = "env: api 1.1", SourceCommit = work.Head, Changes = [new GitFileChange("env/values.yaml", "image:\n  tag: \"1.0\"  # pinned\n")] });
        Assert.True(first.Changed);
        Assert.Equal(first.Commit, servers.Head("app.git"));

        GitWriteResult same = await GitWriter.WriteAsync(new GitWriteRequest { Repo = url, Branch = "main", Message = "again", Changes = [new GitFileChange("env/values.yaml", "image:\n  tag: \"1.0\"  # pinned\n")] });
        Assert.False(same.Changed);
        Assert.Equal(first.Commit, same.Commit);

        GitWriteResult edit = await GitWriter.WriteAsync(new GitWriteRequest { Repo = url, Branch = "main", Message = "bump", Changes = [new GitFileChange("env/values.yaml", YamlPath: "image.tag", Value: "1.1")] });
        Assert.True(edit.Changed);
        Assert.Equal("image:\n  tag: \"1.1\"  # pinned\n", servers.Read("app.git", "env/values.yaml"));

        // Writers racing on one branch: each rejected push is replayed on the new head, so all land.
        GitWriteResult[] racers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => GitWriter.WriteAsync(new GitWriteRequest
        {
            Repo = url, Branch = "main", Message = $"racer {i}", Changes = [new GitFileChange($"race/{i}.txt", $"{i}")], MaxAttempts = 10,
        })));
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal($"{i}", servers.Read("app.git", $"race/{i}.txt")));
        Assert.All(racers, r => Assert.True(r.Changed));
    }

    [Fact]
    public async Task A_branch_that_does_not_exist_yet_starts_from_the_base_branch()
    {
        string url = $"{servers.GitUrl}/app.git";
        GitWriteResult result = await GitWriter.WriteAsync(new GitWriteRequest { Repo = url, Branch = "promote/api-1.1", BaseBranch = "main", Message = "promote api 1.1", SourceCommit = work.Head, Changes = [new GitFileChange("app/cm.yaml", Apps.ConfigMap("a", "9"))] });
        Assert.True(result.Changed);
        Assert.Contains("value: \"9\"", servers.Read("app.git", "app/cm.yaml", "promote/api-1.1"));
        Assert.Contains("value: \"1\"", servers.Read("app.git", "app/cm.yaml", "main"));
        using var bare = new LibGit2Sharp.Repository(Path.Combine(servers.Root, "app.git"));
        Assert.Contains($"Source-Commit: {work.Head}", bare.Branches["promote/api-1.1"].Tip.Message);
    }
}
