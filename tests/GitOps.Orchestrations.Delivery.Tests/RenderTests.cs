using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Rendering;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>Renderers on real repositories and the real <c>kubectl kustomize</c>.</summary>
public sealed class RenderTests : IDisposable
{
    readonly GitRepository repo = new();
    readonly string cache = Directory.CreateTempSubdirectory("gitops-render-cache-").FullName;
    readonly RenderService renderer;

    public RenderTests()
    {
        renderer = new RenderService(new GitCheckout(cache));
        repo.Commit("apps",
            ("plain/a.yaml", Apps.ConfigMap("a", "1")),
            ("plain/nested/b.yml", Apps.Deployment("b", "b:1")),
            ("plain/nested/skip.yaml", Apps.ConfigMap("skip", "1")),
            ("plain/README.md", "not a manifest"),
            ("base/deploy.yaml", Apps.Deployment("web", "web:1.0")),
            ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
            ("overlays/prod/kustomization.yaml", "resources: [../../base]\nnamePrefix: prod-\nnamespace: prod\nimages: [{name: web, newTag: '1.1'}]\n"),
            ("broken/kustomization.yaml", "resources: [missing.yaml]\n"),
            ("chart/Chart.yaml", "apiVersion: v2\nname: api\nversion: 1.0.0\n"));
    }

    public void Dispose()
    {
        repo.Dispose();
        Directory.Delete(cache, recursive: true);
    }

    SourceSpec Source(string path) => new() { Repo = repo.Path, Path = path };

    [Fact]
    public void A_tool_not_on_path_is_found_in_the_tools_folder_beside_the_app()
    {
        // A name no renderer uses, so that no other test can pick this file up.
        string name = $"gitops-bundled-{Guid.NewGuid():N}";
        Assert.Null(ToolRunner.Find(name));
        Directory.CreateDirectory(ToolRunner.BundledTools);
        string bundled = Path.Combine(ToolRunner.BundledTools, name);
        File.WriteAllText(bundled, "#!/bin/sh\n");
        try
        {
            Assert.Equal(bundled, ToolRunner.Find(name));
        }
        finally
        {
            File.Delete(bundled);
        }
    }

    [Fact]
    public async Task Plain_reads_yaml_recursively_with_globs_and_renders_byte_identically()
    {
        var spec = new RenderSpec { Exclude = ["**/skip.yaml"] };
        ManifestSet first = await renderer.RenderAsync(Source("plain"), repo.Head, spec);
        Assert.Equal(["a", "b"], first.Objects.Select(o => o.Name));
        ManifestSet fresh = await new RenderService(new GitCheckout(Directory.CreateTempSubdirectory().FullName)).RenderAsync(Source("plain"), repo.Head, spec);
        Assert.Equal(first.Yaml, fresh.Yaml);
        Assert.Equal(first.Digest, fresh.Digest);

        ManifestSet only = await renderer.RenderAsync(Source("plain"), repo.Head, new RenderSpec { Include = ["nested/*.yml"] });
        Assert.Equal(["b"], only.Objects.Select(o => o.Name));
    }

    [Fact]
    public async Task Kustomize_builds_an_overlay_with_its_base_and_applies_image_overrides_on_top()
    {
        ManifestSet set = await renderer.RenderAsync(Source("overlays/prod"), repo.Head, new RenderSpec { Type = "kustomize", Images = ["web=mirror.local/web:2.0"] });
        Manifest web = Assert.Single(set.Objects);
        Assert.Equal("prod-web", web.Name);
        Assert.Equal("prod", web.Namespace);
        Assert.Contains("image: mirror.local/web:2.0", set.Yaml);
    }

    [Fact]
    public async Task A_render_is_cached_per_commit_path_and_settings()
    {
        var spec = new RenderSpec { Type = "kustomize" };
        ManifestSet first = await renderer.RenderAsync(Source("base"), repo.Head, spec);
        long renders = renderer.Renders;
        ManifestSet again = await renderer.RenderAsync(Source("base"), repo.Head, spec);
        Assert.Equal(renders, renderer.Renders);
        Assert.Equal(first.Digest, again.Digest);
        await renderer.RenderAsync(Source("base"), repo.Head, spec with { Namespace = "other" });
        Assert.Equal(renders + 1, renderer.Renders);
    }

    [Fact]
    public async Task A_kustomize_error_carries_the_tools_message_without_temp_paths()
    {
        var error = await Assert.ThrowsAsync<RenderException>(() => renderer.RenderAsync(Source("broken"), repo.Head, new RenderSpec { Type = "kustomize" }));
        Assert.Contains("kustomize build", error.Message);
        Assert.Contains("missing.yaml", error.Message);
        Assert.DoesNotContain("gitops-render-", error.Message);
    }

    [Fact]
    public async Task Helm_without_a_helm_binary_fails_and_names_it()
    {
        Assert.Null(ToolRunner.Find("helm"));
        var error = await Assert.ThrowsAsync<RenderException>(() => renderer.RenderAsync(Source("chart"), repo.Head, new RenderSpec { Type = "helm" }));
        Assert.Contains("no `helm` binary is on PATH", error.Message);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("plain/../../etc")]
    [InlineData("/etc")]
    public async Task A_source_path_may_not_leave_the_repository(string path)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => renderer.RenderAsync(Source(path), repo.Head, new RenderSpec()));
        Assert.Contains("must stay inside the repository", error.Message);
    }

    [Fact]
    public async Task An_unknown_render_type_is_an_error_not_plain()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => renderer.RenderAsync(Source("plain"), repo.Head, new RenderSpec { Type = "jsonnet" }));
        Assert.Equal("unknown render type 'jsonnet' (known: plain, kustomize, helm)", error.Message);
    }

    [Fact]
    public async Task A_tool_runs_with_a_minimal_environment_and_is_stopped_at_its_time_limit()
    {
        string work = Directory.CreateTempSubdirectory("gitops-tool-").FullName;
        Environment.SetEnvironmentVariable("GITOPS_SECRET_FOR_TOOL_TEST", "do-not-pass");
        ToolResult env = await ToolRunner.RunAsync("/usr/bin/env", [], work, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Contains($"HOME={work}", env.Output);
        Assert.DoesNotContain("GITOPS_SECRET_FOR_TOOL_TEST", env.Output);

        var stopped = await Assert.ThrowsAsync<RenderException>(() => ToolRunner.RunAsync("/bin/sleep", ["30"], work, TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal("sleep did not finish within 1s and was stopped", stopped.Message);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task Two_commits_are_exported_side_by_side_without_clobbering()
    {
        string first = repo.Head;
        string second = repo.Commit("change", ("plain/a.yaml", Apps.ConfigMap("a", "2")));
        ManifestSet[] both = await Task.WhenAll(
            renderer.RenderAsync(Source("plain"), first, new RenderSpec()),
            renderer.RenderAsync(Source("plain"), second, new RenderSpec()));
        Assert.Contains("value: \"1\"", both[0].Yaml);
        Assert.Contains("value: \"2\"", both[1].Yaml);
    }
}
