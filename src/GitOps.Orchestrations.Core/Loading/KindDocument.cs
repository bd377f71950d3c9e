using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// The envelope every kind besides Workflow shares: <c>apiVersion</c>, <c>kind</c>, <c>metadata</c>
/// (a name, with labels and annotations allowed) and <c>spec</c>, each problem positioned.
/// </summary>
internal static class KindDocument
{
    /// <summary>The name and the spec reader; both null when the envelope is wrong (the diagnostics say why).</summary>
    public static (string? Name, MappingReader? Spec) Read(string file, YNode document, string kind, List<Diagnostic> diagnostics)
    {
        MappingReader? root = MappingReader.For(file, document, "the document", diagnostics);
        if (root is null)
        {
            return (null, null);
        }

        root.String("apiVersion", required: true);
        if (root.String("kind", required: true) is string given && given != kind)
        {
            root.Error(root.PositionOf("kind")!.Value, $"expected kind '{kind}', not '{given}'");
            return (null, null);
        }

        MappingReader? metadata = MappingReader.For(file, root.Node("metadata", required: true), "metadata", diagnostics);
        string? name = metadata?.String("name", required: true);
        metadata?.Node("labels");
        metadata?.Node("annotations");
        metadata?.RejectUnknown();
        MappingReader? spec = MappingReader.For(file, root.Node("spec", required: true), "spec", diagnostics);
        root.RejectUnknown();
        return (name, spec);
    }
}
