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
        var texts = new List<RenderedText>();
        foreach (string file in files.Select(f => (Full: f, Relative: Path.GetRelativePath(baseFolder, f).Replace('\\', '/'))).OrderBy(f => f.Relative, StringComparer.Ordinal).Select(f => f.Full))
        {
            string relative = Path.GetRelativePath(baseFolder, file).Replace('\\', '/');
            bool manifest = relative.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            if (!manifest
                || (input.Spec.Include.Count > 0 && !input.Spec.Include.Any(g => PathGlob.Matches(g, relative)))
                || input.Spec.Exclude.Any(g => PathGlob.Matches(g, relative)))
            {
                continue;
            }

            texts.Add(new RenderedText($"{input.Label}/{relative}", File.ReadAllText(file)));
        }

        return Task.FromResult<IReadOnlyList<RenderedText>>(texts);
    }
}
