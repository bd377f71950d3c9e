using System.Text;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>A converter for one or more Argo kinds: one class per family, chosen by kind.</summary>
public interface IArgoConverter
{
    IReadOnlyCollection<string> Kinds { get; }

    void Convert(ArgoDocument document);
}

/// <summary>
/// <c>gitops import argo</c>: Argo Workflows and Argo Rollouts documents, written as this engine's
/// kinds. What is translated keeps a comment with its source position; what is not is reported
/// at that position. The source is hostile like any other input: it is read with the loader's
/// limits and becomes only data.
/// </summary>
public static class ArgoImport
{
    static readonly IArgoConverter[] Converters = [new ArgoWorkflowConverter(), new ArgoRolloutConverter(), new ArgoAnalysisConverter()];

    public static IReadOnlyCollection<string> Kinds { get; } = Converters.SelectMany(c => c.Kinds).ToArray();

    public static ImportResult Run(IEnumerable<SourceFile> files)
    {
        var notes = new List<ImportNote>();
        var index = new ArgoIndex();
        var read = new List<(SourceFile File, List<(YMapping Root, string Kind)> Documents)>();
        foreach (SourceFile file in files)
        {
            var diagnostics = new List<Diagnostic>();
            IReadOnlyList<YNode> documents = YamlTreeReader.Read(file.Path, file.Content, LoadLimits.Default, diagnostics);
            notes.AddRange(diagnostics.Select(d => new ImportNote(d.File, d.Position, ImportFate.Error, "yaml", d.Message)));
            var kept = new List<(YMapping, string)>();
            foreach (YNode node in documents)
            {
                if (node is not YMapping root || ArgoDocument.Text(root["kind"]) is not string kind)
                {
                    notes.Add(new(file.Path, node.Position, ImportFate.Error, "document", "not a Kubernetes-style document with a kind"));
                    continue;
                }

                string apiVersion = ArgoDocument.Text(root["apiVersion"]) ?? "";
                if (!apiVersion.StartsWith(ArgoDefaults.WorkflowsGroup, StringComparison.Ordinal) || !Kinds.Contains(kind))
                {
                    notes.Add(new(file.Path, root.Position, ImportFate.Dropped, kind, $"not a kind this import reads ({apiVersion}); it reads {string.Join(", ", Kinds)} of argoproj.io"));
                    continue;
                }

                kept.Add((root, kind));
                if (kind is "WorkflowTemplate" or "ClusterWorkflowTemplate"
                    && ArgoDocument.Text(ArgoDocument.Map(root["metadata"])?["name"]) is string name && ArgoDocument.Map(root["spec"]) is YMapping spec)
                {
                    index.Add(name, spec);
                }
            }

            read.Add((file, kept));
        }

        var written = new List<ImportedFile>();
        foreach (var (file, documents) in read)
        {
            var text = new StringBuilder($"# Imported from {file.Path} by gitops import argo; each '# from' comment names the place it came from.\n");
            int count = 0;
            foreach (var (root, kind) in documents)
            {
                var document = new ArgoDocument(file.Path, root, kind, index, notes);
                Converters.First(c => c.Kinds.Contains(kind)).Convert(document);
                foreach (var (output, comment) in document.Output)
                {
                    text.Append(count++ == 0 ? "" : "---\n").Append(YamlWriter.Document(output, comment));
                }
            }

            if (count > 0)
            {
                written.Add(new(file.Path, text.ToString(), count));
            }
        }

        return new ImportResult(written, notes.Distinct().ToList());
    }
}
