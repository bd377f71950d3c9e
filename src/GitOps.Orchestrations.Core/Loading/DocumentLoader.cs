using GitOps.Orchestrations.Core.Loading.Kinds;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>A document read from a file: its kind and name, where it is, and what its kind made of it.</summary>
public sealed record LoadedDocument(string Kind, string Name, string File, SourcePosition At, object Value)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Reads every document of a file, whatever its kind, through one guarded path: bytes to YAML by
/// <see cref="YamlTreeReader"/> (size, encoding, depth and alias limits), then the envelope every
/// kind shares (<c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c>), then the kind's own
/// reader from <see cref="KindRegistry"/>. Every problem is a positioned diagnostic; nothing a file
/// holds can throw out of here, so one bad file never takes a catalog down.
/// </summary>
public static class DocumentLoader
{
    public const string ApiVersion = "gitops.orchestrations/v1";

    public static LoadResult Load(string file, ReadOnlySpan<byte> bytes, ITaskTypeCatalog taskTypes, LoadLimits? limits = null, KindRegistry? kinds = null)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<YNode> documents = YamlTreeReader.Read(file, bytes, limits ?? LoadLimits.Default, diagnostics);
        return Load(file, documents, taskTypes, limits ?? LoadLimits.Default, kinds ?? KindRegistry.Default, diagnostics);
    }

    public static LoadResult Load(string file, string text, ITaskTypeCatalog taskTypes, LoadLimits? limits = null, KindRegistry? kinds = null)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<YNode> documents = YamlTreeReader.Read(file, text, limits ?? LoadLimits.Default, diagnostics);
        return Load(file, documents, taskTypes, limits ?? LoadLimits.Default, kinds ?? KindRegistry.Default, diagnostics);
    }

    static LoadResult Load(string file, IReadOnlyList<YNode> documents, ITaskTypeCatalog taskTypes, LoadLimits limits, KindRegistry kinds, List<Diagnostic> diagnostics)
    {
        var loaded = new List<LoadedDocument>();
        if (documents.Count == 0 && diagnostics.Count == 0)
        {
            diagnostics.Add(new(file, SourcePosition.Start, "file holds no YAML document"));
        }

        foreach (YNode document in documents)
        {
            // An empty document (a stray `---`) holds nothing to read, as kubectl sees it.
            if (document is YScalar { IsNull: true })
            {
                continue;
            }

            int before = diagnostics.Count;
            try
            {
                if (ReadOne(file, document, taskTypes, limits, kinds, diagnostics) is LoadedDocument read && diagnostics.Count == before)
                {
                    loaded.Add(read);
                }
            }
            catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException))
            {
                // A defect in a reader must cost its document, never the file's other documents or the catalog.
                diagnostics.Add(new(file, document.Position, $"this document could not be read: {e.GetType().Name}: {e.Message}"));
            }
        }

        return new LoadResult(loaded, diagnostics);
    }

    static LoadedDocument? ReadOne(string file, YNode document, ITaskTypeCatalog taskTypes, LoadLimits limits, KindRegistry kinds, List<Diagnostic> diagnostics)
    {
        MappingReader? root = MappingReader.For(file, document, "the document", diagnostics);
        if (root is null)
        {
            return null;
        }

        string? apiVersion = root.String("apiVersion", required: true);
        string? kindName = root.String("kind", required: true);
        IDocumentKind? kind = null;
        bool known = kindName is null || kinds.TryGet(kindName, out kind);
        string expected = kind?.ApiVersion ?? ApiVersion;
        if (apiVersion is not null && apiVersion != expected)
        {
            root.Error(root.PositionOf("apiVersion")!.Value, $"apiVersion must be '{expected}', not '{apiVersion}'");
        }

        if (!known)
        {
            root.Error(root.PositionOf("kind")!.Value, $"unknown kind '{kindName}' (known: {string.Join(", ", kinds.Names)})");
            return null;
        }

        (string? name, string? ns, IReadOnlyDictionary<string, string> labels) = ReadMetadata(file, root.Node("metadata", required: true), kind, diagnostics);
        MappingReader? spec = MappingReader.For(file, root.Node("spec", required: true), "spec", diagnostics);
        root.RejectUnknown();
        if (kind is null || name is null || spec is null)
        {
            return null;
        }

        var reader = new KindReader(file, name, document, spec, taskTypes, limits, diagnostics) { Labels = labels, Namespace = ns };
        object? value = kind.Read(reader);
        return value is null ? null : new LoadedDocument(kind.Kind, name, file, document.Position, value) { Labels = labels };
    }

    static (string? Name, string? Namespace, IReadOnlyDictionary<string, string> Labels) ReadMetadata(string file, YNode? node, IDocumentKind? kind, List<Diagnostic> diagnostics)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        MappingReader? metadata = MappingReader.For(file, node, "metadata", diagnostics);
        if (metadata is null)
        {
            return (null, null, labels);
        }

        string? name = metadata.String("name", required: true);
        string? ns = kind is { Namespaced: true } ? metadata.String("namespace") : null;
        if (ns is not null && DocumentNames.DnsLabel(ns, "namespace") is string badNamespace)
        {
            metadata.Error(metadata.PositionOf("namespace")!.Value, badNamespace);
        }

        switch (metadata.Node("labels"))
        {
            case YMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (value is YScalar scalar)
                    {
                        labels[key.Value] = scalar.Value;
                    }
                    else
                    {
                        metadata.Error(value.Position, $"label '{key.Value}' must be a string");
                    }
                }

                break;
            case YNode other:
                metadata.Error(other.Position, "labels must be a mapping of names to strings");
                break;
        }

        metadata.Node("annotations");
        metadata.String("description");
        metadata.RejectUnknown();
        if (name is not null && kind?.NameProblem(name) is string problem)
        {
            metadata.Error(metadata.PositionOf("name")!.Value, problem);
            return (null, ns, labels);
        }

        return (name, ns, labels);
    }
}

/// <summary>What a file held: the documents that read cleanly, and every problem with its place.</summary>
public sealed record LoadResult(IReadOnlyList<LoadedDocument> Documents, IReadOnlyList<Diagnostic> Diagnostics)
{
    public IReadOnlyList<WorkflowDocument> Workflows => OfKind<WorkflowDocument>(WorkflowKind.Name);

    public IReadOnlyList<WorkflowDocument> WorkflowTemplates => OfKind<WorkflowDocument>(WorkflowTemplateKind.Name);

    public IReadOnlyList<Analysis.AnalysisTemplate> AnalysisTemplates => Of<Analysis.AnalysisTemplate>();

    public IReadOnlyList<Rollouts.RolloutDefinition> Rollouts => Of<Rollouts.RolloutDefinition>();

    public IReadOnlyList<Promotion.PipelineDefinition> Pipelines => Of<Promotion.PipelineDefinition>();

    public bool Succeeded => Diagnostics.Count == 0;

    public IReadOnlyList<T> Of<T>() => Documents.Select(d => d.Value).OfType<T>().ToList();

    /// <summary>The documents of one kind, where two kinds read as the same type (a workflow and a template).</summary>
    public IReadOnlyList<T> OfKind<T>(string kind) => Documents.Where(d => d.Kind == kind).Select(d => d.Value).OfType<T>().ToList();
}
