using GitOps.Orchestrations.Core.Triggers;

namespace GitOps.Orchestrations.Rendering;

/// <summary>A folder of YAML (and JSON) manifests, read recursively in path order, with include and exclude globs.</summary>
public sealed class PlainRenderer : IManifestRenderer
{
    public string Type => "plain";

    public bool ExecutesTool => false;

    public Task<string> ToolVersionAsync(CancellationToken cancellationToken) => Task.FromResult("plain/1");

    public Task<IReadOnlyList<RenderedText>> RenderAsync(RenderInput input, CancellationToken cancellationToken)
    {
        IEnumerable<string> files = File.Exists(input.Folder)
            ? [input.Folder]
            : Directory.EnumerateFiles(input.Folder, "*", SearchOption.AllDirectories);
        string baseFolder = File.Exists(input.Folder) ? Path.GetDirectoryName(input.Folder)! : input.Folder;
        var found = files.Select(f => (Path.GetRelativePath(baseFolder, f).Replace('\\', '/'), (Func<string>)(() => File.ReadAllText(f))));
        return Task.FromResult(Select(found, input.Spec, input.Label));
    }

    /// <summary>
    /// The manifests among <paramref name="files"/> (relative path, how to read it): YAML and JSON,
    /// in path order, kept by the include globs and dropped by the exclude globs. Only those are read.
    /// </summary>
    public static IReadOnlyList<RenderedText> Select(IEnumerable<(string Relative, Func<string> Read)> files, Core.Delivery.RenderSpec spec, string label) =>
        files.Where(f => IsManifest(f.Relative)
                && (spec.Include.Count == 0 || spec.Include.Any(g => PathGlob.Matches(g, f.Relative)))
                && !spec.Exclude.Any(g => PathGlob.Matches(g, f.Relative)))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => new RenderedText($"{label}/{f.Relative}", f.Read()))
            .ToList();

    public static bool IsManifest(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
}
