using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

public sealed class RenderCommandTests
{
    [Fact]
    public async Task Renders_a_kustomize_overlay_with_overrides_identically_every_time()
    {
        string[] args = ["render", "deploy/examples/shop/overlays/prod", "--type", "kustomize", "--image", "nginx=mirror.local/nginx:1.28"];
        CliResult first = await Gitops.RunAsync(args);
        CliResult second = await Gitops.RunAsync(args);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.StartsWith("---\napiVersion: v1\nkind: Namespace\n", first.Stdout);
        Assert.Contains("image: mirror.local/nginx:1.28", first.Stdout);
        Assert.Contains("replicas: 3", first.Stdout);
        string digest = first.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Matches("^# digest: sha256:[0-9a-f]{64}$", digest);
        Assert.Contains("3 object(s)", first.Stderr);
    }

    [Fact]
    public async Task A_broken_render_exits_1_with_the_tools_message()
    {
        string dir = Directory.CreateTempSubdirectory("gitops-render-bad").FullName;
        File.WriteAllText(Path.Combine(dir, "kustomization.yaml"), "resources: [absent.yaml]\n");
        CliResult result = await Gitops.RunAsync(["render", dir, "--type", "kustomize"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("absent.yaml", result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);

        CliResult unknown = await Gitops.RunAsync(["render", dir, "--type", "ytt"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown render type 'ytt'", unknown.Stderr);
    }

    [Fact]
    public async Task With_policies_a_render_that_breaks_an_enforce_rule_prints_nothing_and_exits_1()
    {
        CliResult refused = await Gitops.RunAsync(["render", "deploy/examples/shop/overlays/prod", "--policy", "policies"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(string.Empty, refused.Stdout);
        Assert.Contains("Deployment.apps/shop/web: ClusterPolicy/require-labels rule app-name-label (Enforce)", refused.Stderr);
        Assert.Contains("(Audit)", refused.Stderr);
        Assert.Contains("the render breaks an Enforce policy", refused.Stderr);
    }

    [Fact]
    public async Task With_only_audit_and_mutate_policies_the_mutated_render_prints_and_exits_0()
    {
        string dir = Directory.CreateTempSubdirectory("gitops-render-policies").FullName;
        File.Copy(Path.Combine(Gitops.RepoRoot, "policies", "add-team-label.yaml"), Path.Combine(dir, "add-team-label.yaml"));
        File.Copy(Path.Combine(Gitops.RepoRoot, "policies", "require-requests-limits.yaml"), Path.Combine(dir, "require-requests-limits.yaml"));
        CliResult result = await Gitops.RunAsync(["render", "deploy/examples/shop/overlays/prod", "--policy", dir]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("team: platform", result.Stdout);
        Assert.Contains("2 policies: 2 object(s) mutated, 1 violation(s)", result.Stderr);

        File.WriteAllText(Path.Combine(dir, "broken.yaml"), "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: b}\nspec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {cel: {}}}]}\n");
        CliResult broken = await Gitops.RunAsync(["render", "deploy/examples/shop/overlays/prod", "--policy", dir]);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("broken.yaml:4:", broken.Stderr);
        Assert.Contains("'cel' is not supported", broken.Stderr);
    }
}
