namespace GitOps.Orchestrations.Rendering;

/// <summary><c>kustomize build</c>, or <c>kubectl kustomize</c> when only kubectl is installed (it embeds kustomize).</summary>
public sealed class KustomizeRenderer : IManifestRenderer
{
    static readonly Lazy<Task<string>> Version = new(ReadVersionAsync);

    public string Type => "kustomize";

    public bool ExecutesTool => true;

    public Task<string> ToolVersionAsync(CancellationToken cancellationToken) => Version.Value;

    public async Task<IReadOnlyList<RenderedText>> RenderAsync(RenderInput input, CancellationToken cancellationToken)
    {
        (string tool, string[] prefix) = Tool();
        ToolResult result = await ToolRunner.RunAsync(tool, [.. prefix, input.Folder], input.WorkRoot, input.Timeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new RenderException($"kustomize build {input.Label} failed: {Clean(result.Error, input.WorkRoot)}");
        }

        return [new RenderedText($"kustomize build {input.Label}", result.Output)];
    }

    static (string Tool, string[] Prefix) Tool() =>
        ToolRunner.Find("kustomize") is string kustomize ? (kustomize, ["build"])
        : ToolRunner.Find("kubectl") is string kubectl ? (kubectl, ["kustomize"])
        : throw new RenderException("kustomize is not installed: the kustomize renderer needs `kustomize` or `kubectl` on PATH");

    static async Task<string> ReadVersionAsync()
    {
        (string tool, string[] prefix) = Tool();
        string temp = Directory.CreateTempSubdirectory("gitops-kustomize-version").FullName;
        try
        {
            ToolResult result = await ToolRunner.RunAsync(tool, prefix[0] == "build" ? ["version"] : ["version", "--client"], temp, TimeSpan.FromSeconds(30), CancellationToken.None);
            return $"{Path.GetFileName(tool)}: {result.Output.Trim()}";
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>The tool names files by their temp path; the source-relative path is what a reader can act on.</summary>
    internal static string Clean(string message, string workRoot) =>
        message.Replace(workRoot.TrimEnd('/') + "/", string.Empty, StringComparison.Ordinal).Trim();
}
