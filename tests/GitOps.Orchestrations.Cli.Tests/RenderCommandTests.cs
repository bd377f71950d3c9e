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
}
