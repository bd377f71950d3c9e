using System.Text.Json;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Rendering;

/// <summary><c>helm template</c> of a chart folder, with values from the step. Without helm on PATH it fails and says so.</summary>
public sealed class HelmRenderer : IManifestRenderer
{
    public string Type => "helm";

    public bool ExecutesTool => true;

    public async Task<string> ToolVersionAsync(CancellationToken cancellationToken)
    {
        string helm = Helm();
        string temp = Directory.CreateTempSubdirectory("gitops-helm-version").FullName;
        try
        {
            return "helm: " + (await ToolRunner.RunAsync(helm, ["version", "--short"], temp, TimeSpan.FromSeconds(30), cancellationToken)).Output.Trim();
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    public async Task<IReadOnlyList<RenderedText>> RenderAsync(RenderInput input, CancellationToken cancellationToken)
    {
        string helm = Helm();
        var arguments = new List<string> { "template", input.Spec.ReleaseName ?? Path.GetFileName(input.Folder.TrimEnd('/')), input.Folder };
        if (input.Spec.Namespace is string ns)
        {
            arguments.AddRange(["--namespace", ns]);
        }

        if (input.Spec.Values is JsonElement values && values.ValueKind == JsonValueKind.Object)
        {
            // JSON is YAML, so the values go to helm as they are, from the render's own folder.
            string file = Path.Combine(input.WorkRoot, ".values.gitops.yaml");
            await File.WriteAllTextAsync(file, CanonicalYaml.Write(System.Text.Json.Nodes.JsonNode.Parse(values.GetRawText())), cancellationToken);
            arguments.AddRange(["--values", file]);
        }

        ToolResult result = await ToolRunner.RunAsync(helm, arguments, input.WorkRoot, input.Timeout, cancellationToken);
        return result.ExitCode == 0
            ? [new RenderedText($"helm template {input.Label}", result.Output)]
            : throw new RenderException($"helm template {input.Label} failed: {KustomizeRenderer.Clean(result.Error, input.WorkRoot)}");
    }

    static string Helm() => ToolRunner.Find("helm")
        ?? throw new RenderException("helm is not installed: the helm renderer runs `helm template`, and no `helm` binary is on PATH");
}
