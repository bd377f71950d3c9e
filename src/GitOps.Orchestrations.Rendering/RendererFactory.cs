namespace GitOps.Orchestrations.Rendering;

/// <summary>Maps <c>render.type</c> to its renderer. An unknown type is an error, never a fallback to plain.</summary>
public static class RendererFactory
{
    public static readonly IReadOnlyList<string> Types = ["plain", "kustomize", "helm"];

    public static IManifestRenderer Create(string type) => type switch
    {
        "plain" => new PlainRenderer(),
        "kustomize" => new KustomizeRenderer(),
        "helm" => new HelmRenderer(),
        _ => throw new ArgumentException($"unknown render type '{type}' (known: {string.Join(", ", Types)})"),
    };
}
